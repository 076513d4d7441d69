// The identity chain as the reviewer reads it: order, verified or claimed with how, look-alike
// names, tools a sub-agent holds beyond its delegator, and nothing taken from the parameters.
#include "models/IdentityLinks.h"

#include <QTest>

using namespace countersign;

namespace {

Action chainAction(bool verified)
{
    Action action;
    action.tool = QStringLiteral("payments");
    action.operation = QStringLiteral("transfer");
    action.identity.user = Principal{QStringLiteral("alice@example.com"), QStringLiteral("Alice Martin"), verified};
    action.identity.application = Principal{QStringLiteral("finance-portal"), QString(), verified};
    action.identity.agents = {AgentIdentity{QStringLiteral("invoice-subagent"), QStringLiteral("i-4821"), true,
                                            {QStringLiteral("payments.transfer")}},
                              AgentIdentity{QStringLiteral("finance-orchestrator"), QStringLiteral("i-512"), verified}};
    action.identity.sessionId = QStringLiteral("s-1");
    return action;
}

QStringList roles(const QList<IdentityLink> &links)
{
    QStringList names;
    for (const IdentityLink &link : links)
        names.append(link.roleName() + QLatin1Char(':') + link.id);
    return names;
}

} // namespace

class TestIdentityLinks final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pathRunsFromUserToActingAgent()
    {
        const QList<IdentityLink> links = identityLinks(chainAction(true), {QStringLiteral("example.com")});
        QCOMPARE(roles(links), (QStringList{QStringLiteral("user:alice@example.com"), QStringLiteral("application:finance-portal"),
                                            QStringLiteral("delegating agent:finance-orchestrator"),
                                            QStringLiteral("acting agent:invoice-subagent")}));
        QCOMPARE(links.at(0).detail, QStringLiteral("Alice Martin"));
        QCOMPARE(links.at(2).detail, QStringLiteral("instance i-512"));
        QCOMPARE(links.at(3).detail, QStringLiteral("instance i-4821"));
    }

    void eachLinkSaysHowItIsKnown_data()
    {
        QTest::addColumn<bool>("verified");
        QTest::addColumn<QStringList>("how");
        const QString claimed = QStringLiteral("Claimed by the submitting agent; nothing verified it.");
        QTest::newRow("verified chain") << true << QStringList{
            QStringLiteral("Named in a user assertion signed with the enrolled key of the application finance-portal."),
            QStringLiteral("Signed the user assertion with its enrolled key."),
            QStringLiteral("Delegated through the gateway's token exchange (RFC 8693), which checked its token."),
            QStringLiteral("Authenticated by the gateway with its own enrolled token.")};
        QTest::newRow("claimed links") << false << QStringList{claimed, claimed, claimed,
            QStringLiteral("Authenticated by the gateway with its own enrolled token.")};
    }

    void eachLinkSaysHowItIsKnown()
    {
        QFETCH(bool, verified);
        QFETCH(QStringList, how);
        const QList<IdentityLink> links = identityLinks(chainAction(verified), {});
        QStringList said;
        for (const IdentityLink &link : links) {
            said.append(link.how);
            QCOMPARE(link.verified, link.role == IdentityLink::Role::ActingAgent || verified);
        }
        QCOMPARE(said, how);
    }

    void subAgentHoldingMoreThanItsParentIsWarned()
    {
        const QList<IdentityLink> links = identityLinks(chainAction(true), {});
        QCOMPARE(links.at(3).warnings,
                 QStringList{QStringLiteral("Holds payments.transfer, which finance-orchestrator did not declare, and this action "
                                            "uses payments.transfer.")});
        QVERIFY(links.at(2).warnings.isEmpty());

        Action many = chainAction(true);
        many.identity.agents[0].undeclaredTools = {"a.1", "a.2", "a.3", "a.4", "a.5", "a.6", "a.7", "a.8"};
        QCOMPARE(identityLinks(many, {}).at(3).warnings,
                 QStringList{QStringLiteral("Holds a.1, a.2, a.3, a.4, a.5, a.6 and 2 more, which finance-orchestrator did not "
                                            "declare.")});
    }

    void lookAlikesAreMarked_data()
    {
        QTest::addColumn<QString>("userId");
        QTest::addColumn<QString>("userName");
        QTest::addColumn<QString>("appName");
        QTest::addColumn<int>("userWarnings");
        QTest::addColumn<int>("appWarnings");
        QTest::newRow("plain") << "alice@example.com" << "Alice Martin" << "Finance portal" << 0 << 0;
        QTest::newRow("right-to-left name is legitimate") << "alice@example.com" << "أليس مارتن" << "" << 0 << 0;
        QTest::newRow("Cyrillic a in the name") << "alice@example.com" << "\u0410lice Martin" << "" << 1 << 0;
        QTest::newRow("digit one for l in the domain") << "alice@examp1e.com" << "Alice" << "" << 1 << 0;
        QTest::newRow("mixed-script application name") << "alice@example.com" << "Alice" << "Fin\u0430nce portal" << 0 << 1;
    }

    void lookAlikesAreMarked()
    {
        QFETCH(QString, userId);
        QFETCH(QString, userName);
        QFETCH(QString, appName);
        QFETCH(int, userWarnings);
        QFETCH(int, appWarnings);
        Action action = chainAction(false);
        action.identity.user.id = userId;
        action.identity.user.displayName = userName;
        action.identity.application.displayName = appName;
        const QList<IdentityLink> links = identityLinks(action, {QStringLiteral("example.com")});
        QCOMPARE(links.at(0).warnings.size(), userWarnings);
        QCOMPARE(links.at(1).warnings.size(), appWarnings);
    }

    void hiddenCharactersInNamesAreMadeVisible()
    {
        Action action = chainAction(false);
        action.identity.user.displayName = QStringLiteral("Alice\u202Enitram");
        const QList<IdentityLink> links = identityLinks(action, {});
        QVERIFY(!links.at(0).detail.contains(QChar(0x202E)));
        QVERIFY(links.at(0).detail.contains(QStringLiteral("U+202E")));
    }

    void identityInParametersIsNeverAnIdentity()
    {
        Action action = chainAction(true);
        action.parameters = {{"user", "ceo@example.com"}, {"onBehalfOf", QJsonObject{{"id", "ceo@example.com"}}},
                             {"agent", "root-agent"}};
        for (const IdentityLink &link : identityLinks(action, {})) {
            QVERIFY(!link.id.contains(QStringLiteral("ceo@")));
            QVERIFY(!link.detail.contains(QStringLiteral("ceo@")));
            QVERIFY(!link.id.contains(QStringLiteral("root-agent")));
        }
    }
};

QTEST_GUILESS_MAIN(TestIdentityLinks)
#include "test_identity_links.moc"
