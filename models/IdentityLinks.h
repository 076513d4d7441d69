// The identity chain of an action as the reviewer reads it: one link per principal, from the
// human user through the application and each delegating agent to the acting agent, each
// saying whether the gateway verified it and how, with the warnings that belong to it. All
// text is safe to show (displayText); the view only lays it out.
#pragma once

#include "core/action/Action.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace countersign {

struct IdentityLink
{
    enum class Role { User, Application, DelegatingAgent, ActingAgent };

    Role role = Role::User;
    QString id;     // the identity itself, made safe
    QString detail; // display name or "instance i-4821", made safe; may be empty
    bool verified = false;
    QString how;    // one sentence: what verified it, or that nothing did
    // Look-alike names and tools held beyond the delegator's declaration, one sentence each.
    QStringList warnings;

    [[nodiscard]] QString roleName() const; // "user", "application", "delegating agent", "acting agent"
};

// Origin first: user, application, the agent the application launched, ..., the acting agent.
// trustedDomains: the domains a user's id is expected in (the reviewer's own); a user id whose
// domain looks like one of them without being it is warned about.
[[nodiscard]] QList<IdentityLink> identityLinks(const Action &action, const QStringList &trustedDomains);

} // namespace countersign
