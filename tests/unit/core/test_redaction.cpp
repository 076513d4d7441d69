// The redaction engine, table-driven: every credential kind found in realistic text with the
// secret gone and its kind named, documentation placeholders included; ordinary ids (commit
// hashes, digests, UUIDs, IBANs), masks and template variables left alone; JSON members named
// like secrets redacted whole with their field path; and the marker stable and idempotent.
// Token-shaped test values are assembled at run time so that no literal token sits in the repo.
#include "core/redaction/Redaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace countersign;
using namespace countersign::redaction;

namespace {

// n characters drawn from a fixed mixed alphabet, so values look like real tokens.
QString chars(int n, const char *alphabet = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0hL")
{
    QString out;
    const int size = int(qstrlen(alphabet));
    for (int i = 0; i < n; ++i)
        out.append(QLatin1Char(alphabet[(i * 7 + 3) % size]));
    return out;
}

} // namespace

class TestRedaction final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsEveryKind_data();
    void findsEveryKind();
    void leavesOrdinaryTextAlone_data();
    void leavesOrdinaryTextAlone();
    void coversAtLeastTwentyFiveKinds();
    void markerIsStableAndShowsNoCharacterOfTheSecret();
    void redactingTwiceChangesNothing();
    void jsonMembersNamedLikeSecrets();
    void longTextIsNeverPassedUnscanned();
};

void TestRedaction::findsEveryKind_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("kind");
    auto row = [](const char *name, const QString &before, const QString &secret, const QString &after, const char *kind) {
        QTest::newRow(name) << QString(before + secret + after) << secret << QString::fromLatin1(kind);
    };
    row("aws access key (documentation example)", QStringLiteral("export AWS_ACCESS_KEY_ID="), QStringLiteral("AKIAIOSFODNN7EXAMPLE"), QStringLiteral("\n"), "aws-access-key");
    row("aws temporary access key", QStringLiteral("id "), QStringLiteral("ASIA") + chars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), QStringLiteral(" used"), "aws-access-key");
    row("aws secret key (documentation example)", QStringLiteral("aws_secret_access_key = "), QStringLiteral("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), QString(), "aws-secret-key");
    row("gcp api key", QStringLiteral("maps?key="), QStringLiteral("AIza") + chars(35), QStringLiteral("&q=x"), "gcp-api-key");
    row("gcp service account key id", QStringLiteral("{\"type\": \"service_account\", \"private_key_id\": \""), chars(40, "0123456789abcdef"), QStringLiteral("\"}"), "gcp-service-account-key");
    row("azure storage key", QStringLiteral("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey="), chars(86) + QStringLiteral("=="), QStringLiteral(";EndpointSuffix=core.windows.net"), "azure-storage-key");
    row("azure sas token", QStringLiteral("https://acme.blob.core.windows.net/c/b.pdf?sv=2022-11-02&sp=r&sig="), chars(40) + QStringLiteral("%3D"), QString(), "azure-sas-token");
    row("azure client secret", QStringLiteral("AZURE_CLIENT_SECRET="), QStringLiteral("xQ28Q~") + chars(34), QString(), "azure-client-secret");
    row("github classic token", QStringLiteral("git push https://x@github.com with "), QStringLiteral("ghp_") + chars(36), QString(), "github-token");
    row("github fine-grained token", QStringLiteral("token "), QStringLiteral("github_pat_") + chars(82), QString(), "github-token");
    row("gitlab token", QStringLiteral("PRIVATE-TOKEN: "), QStringLiteral("glpat-") + chars(20), QString(), "gitlab-token");
    row("slack bot token", QStringLiteral("SLACK_BOT_TOKEN="), QStringLiteral("xoxb-") + chars(10, "0123456789") + QStringLiteral("-") + chars(24), QString(), "slack-token");
    row("slack webhook", QStringLiteral("post to "), QStringLiteral("https://hooks.slack.com/services/T") + chars(8, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") + QStringLiteral("/B") + chars(8, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") + QStringLiteral("/") + chars(24), QString(), "slack-webhook");
    row("stripe secret key", QStringLiteral("Stripe.api_key = '"), QStringLiteral("sk_live_") + chars(24), QStringLiteral("'"), "stripe-key");
    row("stripe restricted key", QStringLiteral("key "), QStringLiteral("rk_test_") + chars(24), QString(), "stripe-key");
    row("stripe webhook secret", QStringLiteral("signing secret "), QStringLiteral("whsec_") + chars(32), QString(), "stripe-webhook-secret");
    row("openai project key", QStringLiteral("OPENAI_API_KEY="), QStringLiteral("sk-proj-") + chars(48), QString(), "openai-key");
    row("anthropic key", QStringLiteral("x-api-key: "), QStringLiteral("sk-ant-api03-") + chars(93), QString(), "anthropic-key");
    row("sendgrid key", QStringLiteral("SENDGRID="), QStringLiteral("SG.") + chars(22) + QStringLiteral(".") + chars(43), QString(), "sendgrid-key");
    row("npm token", QStringLiteral("//registry.npmjs.org/:_authToken="), QStringLiteral("npm_") + chars(36), QString(), "npm-token");
    row("google oauth client secret", QStringLiteral("client secret "), QStringLiteral("GOCSPX-") + chars(28), QString(), "google-oauth-secret");
    row("hugging face token", QStringLiteral("HF_TOKEN="), QStringLiteral("hf_") + chars(34), QString(), "huggingface-token");
    row("jwt (RFC 7519 style)", QStringLiteral("session "),
        QStringLiteral("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
        QString(), "jwt");
    row("pem private key", QStringLiteral("key:\n"), QStringLiteral("-----BEGIN RSA PRIVATE KEY-----\nMIIEow") + chars(64) + QStringLiteral("\n-----END RSA PRIVATE KEY-----"), QStringLiteral("\nthanks"), "pem-private-key");
    row("pkcs8 private key cut short", QStringLiteral("here: "), QStringLiteral("-----BEGIN PRIVATE KEY-----\nMC4CAQAw") + chars(40), QString(), "pem-private-key");
    row("openssh private key", QString(), QStringLiteral("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE") + chars(60) + QStringLiteral("\n-----END OPENSSH PRIVATE KEY-----"), QString(), "openssh-private-key");
    row("postgres uri password", QStringLiteral("DATABASE_URL=postgres://app:"), QStringLiteral("S3cr3t-pa55"), QStringLiteral("@db.internal:5432/crm"), "database-uri-password");
    row("mongodb+srv uri password", QStringLiteral("mongodb+srv://svc:"), QStringLiteral("q9Vv2xLm"), QStringLiteral("@cluster0.example.net/app"), "database-uri-password");
    row("user:password@ in a url", QStringLiteral("clone https://deploy:"), QStringLiteral("hunter2hunter2"), QStringLiteral("@git.example.com/repo.git"), "url-credentials");
    row("jdbc password", QStringLiteral("jdbc:mysql://db:3306/app?user=app&password="), QStringLiteral("Tr0ub4dor"), QStringLiteral("&ssl=true"), "jdbc-password");
    row("ado.net password", QStringLiteral("Server=tcp:db.example.com,1433;Database=crm;User ID=app;Password="), QStringLiteral("Pa$$w0rd!23"), QStringLiteral(";Encrypt=true"), "connection-string-password");
    row("basic authorization", QStringLiteral("Authorization: Basic "), QStringLiteral("dXNlcjpwYXNzd29yZA=="), QString(), "basic-auth");
    row("bearer authorization", QStringLiteral("curl -H 'Authorization: Bearer "), QStringLiteral("8f14e45fceea167a5a36dedd4bea2543aa"), QStringLiteral("'"), "bearer-token");
    row("access_token parameter", QStringLiteral("GET /v1/items?page=2&access_token="), QStringLiteral("9a8b7c6d5e4f3a2b1c0d"), QStringLiteral("&x=1"), "token-parameter");
    row("password assignment", QStringLiteral("login with password="), QStringLiteral("Zx9!qR2#mK7$"), QString(), "secret-assignment");
    row("client_secret assignment", QStringLiteral("client_secret: '"), QStringLiteral("f9A2kq0PzXw8LmN3"), QStringLiteral("'"), "secret-assignment");
}

void TestRedaction::findsEveryKind()
{
    QFETCH(QString, text);
    QFETCH(QString, secret);
    QFETCH(QString, kind);
    const Redacted redacted = redactText(text);
    QVERIFY2(!redacted.text.contains(secret), qPrintable(redacted.text));
    QVERIFY2(!redacted.findings.isEmpty(), qPrintable(text));
    QCOMPARE(redacted.findings.first().kind, kind);
    QVERIFY(redacted.text.contains(marker(kind, secret)));
    QVERIFY(kinds().contains(kind));
}

void TestRedaction::leavesOrdinaryTextAlone_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("commit hash") << QStringLiteral("fixed in commit 3f786850e387550fdab836ed7e6dc881de23001b");
    QTest::newRow("sha-256 digest") << QStringLiteral("digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    QTest::newRow("uuid") << QStringLiteral("order 123e4567-e89b-12d3-a456-426614174000 shipped");
    QTest::newRow("iban") << QStringLiteral("IBAN DE89370400440532013000, BIC COBADEFFXXX");
    QTest::newRow("url without credentials") << QStringLiteral("see https://example.com/a/b?page=2&sort=desc#top");
    QTest::newRow("email address") << QStringLiteral("mail bob@example.com and alice@partner.example.org");
    QTest::newRow("masked password") << QStringLiteral("password=********");
    QTest::newRow("template variable") << QStringLiteral("token=${API_TOKEN} and password: {{ vault.db_password }}");
    QTest::newRow("low-entropy word") << QStringLiteral("the password is password");
    QTest::newRow("basic, the word") << QStringLiteral("Basic training starts Monday");
    QTest::newRow("bearer, the word") << QStringLiteral("the bearer of this letter");
    QTest::newRow("short sk- prefix") << QStringLiteral("see sk-12 in the manual");
    QTest::newRow("akia too short") << QStringLiteral("AKIA1234567890ABCDE");
    QTest::newRow("our own marker") << QStringLiteral("password=[redacted: password-field …3F2A]");
    QTest::newRow("a decision reason") << QStringLiteral("Vendor confirmed by phone; invoice INV-40483 matches PO-7781.");
}

void TestRedaction::leavesOrdinaryTextAlone()
{
    QFETCH(QString, text);
    const Redacted redacted = redactText(text);
    QVERIFY2(redacted.findings.isEmpty(), qPrintable(redacted.findings.isEmpty() ? QString() : redacted.findings.first().kind));
    QCOMPARE(redacted.text, text);
}

void TestRedaction::coversAtLeastTwentyFiveKinds()
{
    QVERIFY2(kinds().size() >= 25, qPrintable(kinds().join(QLatin1Char(' '))));
}

void TestRedaction::markerIsStableAndShowsNoCharacterOfTheSecret()
{
    const QString key = QStringLiteral("AKIAIOSFODNN7EXAMPLE");
    const QString one = redactText(QStringLiteral("a ") + key).text;
    const QString two = redactText(key + QStringLiteral(" b")).text;
    const QString mark = marker(QStringLiteral("aws-access-key"), key);
    QVERIFY(one.contains(mark));
    QVERIFY(two.contains(mark));
    QVERIFY(mark.startsWith(QStringLiteral("[redacted: aws-access-key …")));
    QCOMPARE(mark.size(), QStringLiteral("[redacted: aws-access-key …ABCD]").size());
    // Another key, another mark (these two differ in their SHA-256 prefix).
    QVERIFY(marker(QStringLiteral("aws-access-key"), QStringLiteral("AKIAI44QH8DHBEXAMPLE")) != mark);
}

void TestRedaction::redactingTwiceChangesNothing()
{
    const QString text = QStringLiteral("postgres://app:S3cr3t-pa55@db/crm and Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543aa");
    const Redacted once = redactText(text);
    QCOMPARE(once.findings.size(), 2);
    const Redacted twice = redactText(once.text);
    QCOMPARE(twice.text, once.text);
    QVERIFY(twice.findings.isEmpty());
}

void TestRedaction::jsonMembersNamedLikeSecrets()
{
    const QJsonObject parameters{
        {QStringLiteral("to"), QStringLiteral("bob@example.com")},
        {QStringLiteral("password"), QStringLiteral("hunter2")},
        {QStringLiteral("nextPageToken"), QStringLiteral("CAUQAA")},
        {QStringLiteral("headers"), QJsonObject{{QStringLiteral("Authorization"), QStringLiteral("Bearer abc")},
                                                {QStringLiteral("X-Api-Key"), QStringLiteral("k")}}},
        {QStringLiteral("db"), QStringLiteral("postgres://u:p4ssw0rd@h/db")},
        {QStringLiteral("steps"), QJsonArray{QStringLiteral("ok"), QStringLiteral("use AKIAIOSFODNN7EXAMPLE")}},
        {QStringLiteral("pin"), 1234},
        {QStringLiteral("clientSecret"), QStringLiteral("${SECRET}")},
    };
    QList<Finding> findings;
    const QJsonObject out = redactJson(parameters, &findings).toObject();
    const QByteArray text = QJsonDocument(out).toJson(QJsonDocument::Compact);
    for (const char *secret : {"hunter2", "Bearer abc", "\"k\"", "p4ssw0rd", "AKIAIOSFODNN7EXAMPLE"})
        QVERIFY2(!text.contains(secret), text.constData());
    QCOMPARE(out.value(QStringLiteral("to")).toString(), QStringLiteral("bob@example.com"));
    QCOMPARE(out.value(QStringLiteral("nextPageToken")).toString(), QStringLiteral("CAUQAA"));
    QCOMPARE(out.value(QStringLiteral("clientSecret")).toString(), QStringLiteral("${SECRET}"));
    QCOMPARE(out.value(QStringLiteral("pin")).toInt(), 1234); // a PIN is not named like a secret here
    QCOMPARE(out.value(QStringLiteral("password")).toString(), marker(QStringLiteral("password-field"), QStringLiteral("hunter2")));
    QStringList paths;
    for (const Finding &finding : findings)
        paths.append(finding.path + QLatin1Char('=') + finding.kind);
    paths.sort();
    QCOMPARE(paths, (QStringList{QStringLiteral("db=database-uri-password"), QStringLiteral("headers.Authorization=authorization-header"),
                                 QStringLiteral("headers.X-Api-Key=secret-field"), QStringLiteral("password=password-field"),
                                 QStringLiteral("steps[1]=aws-access-key")}));
}

void TestRedaction::longTextIsNeverPassedUnscanned()
{
    QString text(kMaxScanChars + 10, QLatin1Char('a'));
    text.replace(kMaxScanChars + 2, 4, QStringLiteral("AKIA"));
    const Redacted redacted = redactText(text);
    QVERIFY(!redacted.text.contains(QLatin1String("AKIA")));
    QVERIFY(redacted.text.endsWith(QStringLiteral("[redacted: unscanned …10 more characters]")));
}

QTEST_GUILESS_MAIN(TestRedaction)
#include "test_redaction.moc"
