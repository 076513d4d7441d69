// Identity links: verification wording and per-link warnings.
#include "models/IdentityLinks.h"

#include "core/text/DisplayText.h"
#include "core/text/Spoofing.h"

namespace countersign {

namespace {

constexpr int kMaxIdChars = 80;
constexpr int kMaxNameChars = 80;
constexpr int kMaxToolsNamed = 6;
constexpr int kMaxWarningChars = 400;

QString safe(const QString &text, int maxChars = kMaxIdChars)
{
    return displayText(text, maxChars);
}

// A display name mixing scripts ("Аlice" with a Cyrillic A) is marked, not trusted.
void checkName(IdentityLink &link, const QString &displayName)
{
    if (!displayName.isEmpty()) {
        if (const QString warning = nameWarning(displayName); !warning.isEmpty())
            link.warnings.append(warning);
    }
}

QString toolList(const QStringList &tools)
{
    QStringList named;
    for (qsizetype i = 0; i < tools.size() && i < kMaxToolsNamed; ++i)
        named.append(safe(tools.at(i)));
    QString text = named.join(QStringLiteral(", "));
    if (tools.size() > kMaxToolsNamed)
        text += QStringLiteral(" and %1 more").arg(tools.size() - kMaxToolsNamed);
    return text;
}

} // namespace

QString IdentityLink::roleName() const
{
    switch (role) {
    case Role::User: return QStringLiteral("user");
    case Role::Application: return QStringLiteral("application");
    case Role::DelegatingAgent: return QStringLiteral("delegating agent");
    case Role::ActingAgent: return QStringLiteral("acting agent");
    }
    return {};
}

QList<IdentityLink> identityLinks(const Action &action, const QStringList &trustedDomains)
{
    const IdentityContext &identity = action.identity;
    QList<IdentityLink> links;
    const QString claimed = QStringLiteral("Claimed by the submitting agent; nothing verified it.");

    IdentityLink user;
    user.role = IdentityLink::Role::User;
    user.id = safe(identity.user.id);
    user.detail = safe(identity.user.displayName, kMaxNameChars);
    user.verified = identity.user.verified;
    user.how = user.verified ? QStringLiteral("Named in a user assertion signed with the enrolled key of the application %1.")
                                   .arg(safe(identity.application.id))
                             : claimed;
    checkName(user, identity.user.displayName);
    if (identity.user.id.contains(QLatin1Char('@'))) {
        const DomainCheck domain = checkDomain(identity.user.id, trustedDomains);
        if (domain.suspicious())
            user.warnings.append(domain.warning());
    }
    links.append(user);

    IdentityLink application;
    application.role = IdentityLink::Role::Application;
    application.id = safe(identity.application.id);
    application.detail = safe(identity.application.displayName, kMaxNameChars);
    application.verified = identity.application.verified;
    application.how = application.verified ? QStringLiteral("Signed the user assertion with its enrolled key.") : claimed;
    checkName(application, identity.application.displayName);
    links.append(application);

    for (qsizetype i = identity.agents.size() - 1; i >= 0; --i) {
        const AgentIdentity &agent = identity.agents.at(i);
        IdentityLink link;
        link.role = i == 0 ? IdentityLink::Role::ActingAgent : IdentityLink::Role::DelegatingAgent;
        link.id = safe(agent.id);
        if (!agent.instance.isEmpty())
            link.detail = QStringLiteral("instance ") + safe(agent.instance);
        link.verified = agent.verified;
        if (!agent.verified)
            link.how = claimed;
        else if (i == 0)
            link.how = QStringLiteral("Authenticated by the gateway with its own enrolled token.");
        else
            link.how = QStringLiteral("Delegated through the gateway's token exchange (RFC 8693), which checked its token.");
        if (!agent.undeclaredTools.isEmpty()) {
            const QString parent = i + 1 < identity.agents.size() ? safe(identity.agents.at(i + 1).id) : QString();
            const QString thisTool = action.tool + QLatin1Char('.') + action.operation;
            QString warning = QStringLiteral("Holds %1, which %2 did not declare")
                                  .arg(toolList(agent.undeclaredTools), parent);
            if (i == 0 && agent.undeclaredTools.contains(thisTool))
                warning += QStringLiteral(", and this action uses %1").arg(safe(thisTool));
            link.warnings.append(warning + QLatin1Char('.'));
        }
        links.append(link);
    }
    // Warnings quote names the agent chose: made safe like every other text here.
    for (IdentityLink &link : links) {
        for (QString &warning : link.warnings)
            warning = displayText(warning, kMaxWarningChars);
    }
    return links;
}

} // namespace countersign
