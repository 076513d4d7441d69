// effectPreview(): the email, payment, deletion and permission-change previews built from an
// action's parameters — external and look-alike recipients, exact amounts, the permission diff,
// hostile text escaped, credentials redacted, and malformed shapes giving no preview at all.
#include "models/EffectPreview.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QTest>

using namespace countersign;

namespace {

const QLocale kEnglish(QLocale::English, QLocale::UnitedStates);

Action makeAction(const QString &tool, const QString &operation, const QJsonObject &parameters,
    const QString &user = QStringLiteral("bob@example.com"))
{
    Action action;
    action.id = QStringLiteral("act-1");
    action.tool = tool;
    action.operation = operation;
    action.parameters = parameters;
    action.identity.user = {user, {}};
    action.identity.agents = {{QStringLiteral("ops-agent"), {}}};
    return action;
}

QJsonObject beneficiary(bool isNew)
{
    return {{QStringLiteral("name"), QStringLiteral("Nordwind Logistics GmbH")},
        {QStringLiteral("iban"), QStringLiteral("DE89370400440532013000")}, {QStringLiteral("new"), isNew}};
}

const PreviewField *field(const EffectPreview &preview, const QString &label)
{
    for (const PreviewField &f : preview.fields) {
        if (f.label == label)
            return &f;
    }
    return nullptr;
}

QString fieldText(const EffectPreview &preview, const QString &label)
{
    const PreviewField *f = field(preview, label);
    return f ? f->value.shown : QStringLiteral("<no field %1>").arg(label);
}

bool anyNoteContains(const EffectPreview &preview, const QString &text)
{
    return std::any_of(preview.notes.cbegin(), preview.notes.cend(),
        [&text](const PreviewNote &note) { return note.text.contains(text); });
}

// No character a reader cannot see, or that reorders its neighbours, survives into the preview.
bool hasRawHiddenCharacters(const QStringList &texts)
{
    for (const QString &text : texts) {
        for (const QChar c : text) {
            const auto u = c.unicode();
            if (u == 0x202E || u == 0x202C || u == 0x2066 || u == 0x2069 || u == 0x200B || u == 0x200D
                || u == 0xFEFF || u == 0x0007 || u == 0x000D)
                return true;
        }
    }
    return false;
}

} // namespace

class TestEffectPreview final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void emailAsItWouldBeSent();
    void emailLookalikeRecipients();
    void emailWithoutAKnownDomainMarksEveryRecipient();
    void emailLongBodyIsElidedAndKeptWhole();
    void hostileTextIsEscaped();
    void paymentShowsAmountAndBeneficiary();
    void paymentAmountIsExactlyAsSent_data();
    void paymentAmountIsExactlyAsSent();
    void deletionShowsTargetCountAndIrreversibility();
    void deletionOfFiles();
    void permissionChangeIsADiff();
    void credentialsStayRedacted();
    void malformedShapesFallBack_data();
    void malformedShapesFallBack();
};

void TestEffectPreview::emailAsItWouldBeSent()
{
    const Action action = makeAction(QStringLiteral("email"), QStringLiteral("send"),
        {{QStringLiteral("from"), QStringLiteral("bob@example.com")},
            {QStringLiteral("to"),
                QJsonArray {QStringLiteral("dana@example.com"), QStringLiteral("procurement@nordwind-logistics.de")}},
            {QStringLiteral("cc"), QStringLiteral("Ops <ops@eu.example.com>, j.smith@partner-corp.com")},
            {QStringLiteral("bcc"), QJsonArray {QJsonObject {{QStringLiteral("address"), QStringLiteral("audit@example.com")}}}},
            {QStringLiteral("subject"), QStringLiteral("Q4 pricing update")},
            {QStringLiteral("body"), QStringLiteral("Hello,\n\nThe figures are attached.\n\nBob")},
            {QStringLiteral("attachments"),
                QJsonArray {QStringLiteral("pricing.xlsx"), QJsonObject {{QStringLiteral("filename"), QStringLiteral("terms.pdf")}}}},
            {QStringLiteral("priority"), QStringLiteral("high")}});
    const EffectPreview preview = effectPreview(action, kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::Email);
    QCOMPARE(preview.from.shown, QStringLiteral("bob@example.com"));
    QCOMPARE(preview.homeDomain, QStringLiteral("example.com"));
    QCOMPARE(preview.subject.shown, QStringLiteral("Q4 pricing update"));
    QCOMPARE(preview.body.shown, QStringLiteral("Hello,\n\nThe figures are attached.\n\nBob"));
    QVERIFY(!preview.body.elided());

    QCOMPARE(preview.recipients.size(), 5);
    const QStringList fields{QStringLiteral("To"), QStringLiteral("To"), QStringLiteral("Cc"), QStringLiteral("Cc"),
        QStringLiteral("Bcc")};
    const QStringList addresses{QStringLiteral("dana@example.com"), QStringLiteral("procurement@nordwind-logistics.de"),
        QStringLiteral("Ops <ops@eu.example.com>"), QStringLiteral("j.smith@partner-corp.com"),
        QStringLiteral("audit@example.com")};
    const QList<bool> external{false, true, false, true, false};
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(preview.recipients.at(i).field, fields.at(i));
        QCOMPARE(preview.recipients.at(i).address.shown, addresses.at(i));
        QCOMPARE(preview.recipients.at(i).external, external.at(i));
        QVERIFY(preview.recipients.at(i).lookalike.isEmpty());
    }
    QCOMPARE(preview.externalRecipients(), 2);
    QVERIFY(anyNoteContains(preview, QStringLiteral("2 of 5 recipients are outside example.com")));
    QCOMPARE(preview.attachments.size(), 2);
    QCOMPARE(preview.attachments.at(0).shown, QStringLiteral("pricing.xlsx"));
    QCOMPARE(preview.attachments.at(1).shown, QStringLiteral("terms.pdf"));
    // What the preview leaves out is named, so the reader knows to look.
    QCOMPARE(preview.otherParameters, QStringList{QStringLiteral("priority")});
}

void TestEffectPreview::emailLookalikeRecipients()
{
    // Not from: the home domain is the requesting user's.
    const Action action = makeAction(QStringLiteral("email"), QStringLiteral("send"),
        {{QStringLiteral("to"),
            QJsonArray {QStringLiteral("dana@example.com"), QStringLiteral("finance@examp1e.com"),
                QStringLiteral("it@\u0435xample.com")}}},
        QStringLiteral("alice@example.com"));
    const EffectPreview preview = effectPreview(action, kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::Email);
    QCOMPARE(preview.homeDomain, QStringLiteral("example.com"));
    QVERIFY(preview.from.isEmpty());
    QCOMPARE(preview.recipients.size(), 3);
    QVERIFY(!preview.recipients.at(0).external);
    QVERIFY(preview.recipients.at(0).lookalike.isEmpty());
    QVERIFY(preview.recipients.at(1).external);
    QVERIFY2(preview.recipients.at(1).lookalike.contains(QStringLiteral("examp1e.com looks like example.com but is not")),
        qPrintable(preview.recipients.at(1).lookalike));
    QVERIFY(preview.recipients.at(2).external);
    QVERIFY2(preview.recipients.at(2).lookalike.contains(QStringLiteral("mixes scripts (Cyrillic + Latin)")),
        qPrintable(preview.recipients.at(2).lookalike));
}

void TestEffectPreview::emailWithoutAKnownDomainMarksEveryRecipient()
{
    const Action action = makeAction(QStringLiteral("mail"), QStringLiteral("send"),
        {{QStringLiteral("to"), QStringLiteral("dana@example.com")}}, QStringLiteral("svc-mailer"));
    const EffectPreview preview = effectPreview(action, kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::Email);
    QVERIFY(preview.homeDomain.isEmpty());
    QCOMPARE(preview.recipients.size(), 1);
    QVERIFY(preview.recipients.at(0).external);
    QVERIFY(anyNoteContains(preview, QStringLiteral("every recipient is marked as external")));
}

void TestEffectPreview::emailLongBodyIsElidedAndKeptWhole()
{
    QStringList lines;
    for (int i = 1; i <= 40; ++i)
        lines.append(QStringLiteral("line %1").arg(i));
    const QString body = lines.join(QLatin1Char('\n'));
    EffectPreview preview = effectPreview(makeAction(QStringLiteral("email"), QStringLiteral("send"),
        {{QStringLiteral("to"), QStringLiteral("dana@example.com")}, {QStringLiteral("body"), body}}), kEnglish);
    QVERIFY(preview.body.elided());
    QCOMPARE(preview.body.shown.count(QLatin1Char('\n')), kPreviewBodyLines);
    QVERIFY(preview.body.shown.startsWith(QStringLiteral("line 1\nline 2\n")));
    QVERIFY(preview.body.shown.endsWith(QStringLiteral("line 12\n…")));
    QCOMPARE(preview.body.whole, body);

    const QString oneLong(5000, QLatin1Char('x'));
    preview = effectPreview(makeAction(QStringLiteral("email"), QStringLiteral("send"),
        {{QStringLiteral("to"), QStringLiteral("dana@example.com")}, {QStringLiteral("body"), oneLong}}), kEnglish);
    QVERIFY(preview.body.elided());
    QVERIFY(preview.body.shown.size() <= kPreviewBodyChars);
    QVERIFY(preview.body.shown.endsWith(QStringLiteral("…")));
    QCOMPARE(preview.body.whole, oneLong);

    // A short body is not elided.
    preview = effectPreview(makeAction(QStringLiteral("email"), QStringLiteral("send"),
        {{QStringLiteral("to"), QStringLiteral("dana@example.com")}, {QStringLiteral("body"), QStringLiteral("Hi")}}), kEnglish);
    QVERIFY(!preview.body.elided());
}

void TestEffectPreview::hostileTextIsEscaped()
{
    const Action action = makeAction(QStringLiteral("email"), QStringLiteral("send"),
        {{QStringLiteral("to"), QStringLiteral("attacker@evil.example")},
            {QStringLiteral("subject"), QStringLiteral("<h1>URGENT</h1>\nBcc: everyone@example.com")},
            {QStringLiteral("body"), QStringLiteral("Pay \u2066now\u2069 to pay\u200Bpal\u0007.\r\nThanks")},
            {QStringLiteral("attachment"), QStringLiteral("invoice\u202Etxt.exe")},
            {QStringLiteral("note"), QStringLiteral("pay\u200Bpal")},
            {QStringLiteral("<script>key</script>"), QStringLiteral("value")}});
    const EffectPreview preview = effectPreview(action, kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::Email);
    // Markup is shown as the characters it is; an injected line break as a visible mark.
    QCOMPARE(preview.subject.shown, QStringLiteral("<h1>URGENT</h1>⏎Bcc: everyone@example.com"));
    QVERIFY(preview.subject.hidden);
    QCOMPARE(preview.body.shown,
        QStringLiteral("Pay ⟨U+2066⟩now⟨U+2069⟩ to pay⟨U+200B⟩pal⟨U+0007⟩.⟨U+000D⟩\nThanks"));
    QVERIFY(preview.body.hidden);
    QCOMPARE(preview.attachments.size(), 1);
    QCOMPARE(preview.attachments.at(0).shown, QStringLiteral("invoice⟨U+202E⟩txt.exe"));
    QVERIFY(preview.attachments.at(0).hidden);
    QVERIFY(preview.otherParameters.contains(QStringLiteral("note")));
    QVERIFY(preview.otherParameters.contains(QStringLiteral("<script>key</script>")));
    QVERIFY(!hasRawHiddenCharacters(preview.texts()));

    // In a permission name and in a beneficiary too.
    const EffectPreview diff = effectPreview(makeAction(QStringLiteral("iam"), QStringLiteral("update_permissions"),
        {{QStringLiteral("before"), QJsonArray {}}, {QStringLiteral("after"), QJsonArray {QStringLiteral("db.read\u202Eeteled")}}}),
        kEnglish);
    QCOMPARE(diff.diff.size(), 1);
    QCOMPARE(diff.diff.at(0).text(), QStringLiteral("+ db.read⟨U+202E⟩eteled"));
    QVERIFY(diff.diff.at(0).permission.hidden);
    const EffectPreview pay = effectPreview(makeAction(QStringLiteral("payments"), QStringLiteral("transfer"),
        {{QStringLiteral("amount"), 10}, {QStringLiteral("beneficiary"), QStringLiteral("ACME\u200D\u202EHbmG")}}), kEnglish);
    QCOMPARE(fieldText(pay, QStringLiteral("Beneficiary")), QStringLiteral("ACME⟨U+200D⟩⟨U+202E⟩HbmG"));
    QVERIFY(!hasRawHiddenCharacters(pay.texts()));
}

void TestEffectPreview::paymentShowsAmountAndBeneficiary()
{
    Action action = makeAction(QStringLiteral("payments"), QStringLiteral("transfer"),
        {{QStringLiteral("amount"), 12400}, {QStringLiteral("currency"), QStringLiteral("EUR")},
            {QStringLiteral("beneficiary"), beneficiary(true)}, {QStringLiteral("reference"), QStringLiteral("INV-48213")}});
    EffectPreview preview = effectPreview(action, kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::Payment);
    QCOMPARE(preview.amount, QStringLiteral("12,400.00"));
    QCOMPARE(preview.currency.shown, QStringLiteral("EUR"));
    QCOMPARE(fieldText(preview, QStringLiteral("Beneficiary")), QStringLiteral("Nordwind Logistics GmbH"));
    QCOMPARE(fieldText(preview, QStringLiteral("IBAN")), QStringLiteral("DE89 3704 0044 0532 0130 00"));
    QVERIFY(fieldText(preview, QStringLiteral("New beneficiary")).startsWith(QStringLiteral("Yes")));
    QCOMPARE(fieldText(preview, QStringLiteral("Reference")), QStringLiteral("INV-48213"));
    QVERIFY(anyNoteContains(preview, QStringLiteral("New beneficiary")));
    QVERIFY(preview.otherParameters.isEmpty());

    action.parameters.insert(QStringLiteral("beneficiary"), beneficiary(false));
    preview = effectPreview(action, kEnglish);
    QVERIFY(fieldText(preview, QStringLiteral("New beneficiary")).startsWith(QStringLiteral("No")));
    QVERIFY(!anyNoteContains(preview, QStringLiteral("New beneficiary")));

    // Without "new" the preview says nothing either way.
    action.parameters.insert(QStringLiteral("beneficiary"), QStringLiteral("GB29 NWBK 6016 1331 9268 19"));
    action.parameters.remove(QStringLiteral("reference"));
    action.parameters.insert(QStringLiteral("memo"), QStringLiteral("March rent"));
    preview = effectPreview(action, kEnglish);
    QVERIFY(!field(preview, QStringLiteral("New beneficiary")));
    QCOMPARE(fieldText(preview, QStringLiteral("IBAN")), QStringLiteral("GB29 NWBK 6016 1331 9268 19"));
    QCOMPARE(fieldText(preview, QStringLiteral("Reference")), QStringLiteral("March rent"));

    // The {value, currency} shape.
    preview = effectPreview(makeAction(QStringLiteral("payments"), QStringLiteral("transfer"),
        {{QStringLiteral("amount"), QJsonObject {{QStringLiteral("value"), QStringLiteral("99.9")}, {QStringLiteral("currency"), QStringLiteral("USD")}}},
            {QStringLiteral("beneficiary"), QStringLiteral("ACME Corp")}}), kEnglish);
    QCOMPARE(preview.amount, QStringLiteral("99.90"));
    QCOMPARE(preview.currency.shown, QStringLiteral("USD"));
}

void TestEffectPreview::paymentAmountIsExactlyAsSent_data()
{
    QTest::addColumn<QJsonValue>("amount");
    QTest::addColumn<QString>("currency");
    QTest::addColumn<QLocale>("locale");
    QTest::addColumn<QString>("expected");
    QTest::newRow("integer") << QJsonValue(12400) << "EUR" << kEnglish << QStringLiteral("12,400.00");
    QTest::newRow("one decimal") << QJsonValue(950.5) << "EUR" << kEnglish << QStringLiteral("950.50");
    // More precision than the currency's cents is kept, never rounded away.
    QTest::newRow("three decimals") << QJsonValue(1234.567) << "EUR" << kEnglish << QStringLiteral("1,234.567");
    QTest::newRow("tiny") << QJsonValue(0.001) << "EUR" << kEnglish << QStringLiteral("0.001");
    QTest::newRow("string, trailing zero") << QJsonValue(QStringLiteral("0.10")) << "EUR" << kEnglish << QStringLiteral("0.10");
    QTest::newRow("string, beyond double precision")
        << QJsonValue(QStringLiteral("12400.0000000000000001")) << "EUR" << kEnglish
        << QStringLiteral("12,400.0000000000000001");
    QTest::newRow("string, beyond 64-bit")
        << QJsonValue(QStringLiteral("123456789012345678901234")) << "EUR" << kEnglish
        << QStringLiteral("123456789012345678901234.00");
    QTest::newRow("yen has no minor unit") << QJsonValue(5000) << "JPY" << kEnglish << QStringLiteral("5,000");
    QTest::newRow("dinar has three") << QJsonValue(1.5) << "KWD" << kEnglish << QStringLiteral("1.500");
    QTest::newRow("negative") << QJsonValue(-20.25) << "EUR" << kEnglish << QStringLiteral("-20.25");
    QTest::newRow("german") << QJsonValue(12400.5) << "EUR" << QLocale(QLocale::German, QLocale::Germany)
                            << QStringLiteral("12.400,50");
    QTest::newRow("c locale groups") << QJsonValue(12400) << "EUR" << QLocale::c() << QStringLiteral("12,400.00");
}

void TestEffectPreview::paymentAmountIsExactlyAsSent()
{
    QFETCH(QJsonValue, amount);
    QFETCH(QString, currency);
    QFETCH(QLocale, locale);
    QFETCH(QString, expected);
    const EffectPreview preview = effectPreview(makeAction(QStringLiteral("payments"), QStringLiteral("transfer"),
        {{QStringLiteral("amount"), amount}, {QStringLiteral("currency"), currency},
            {QStringLiteral("beneficiary"), QStringLiteral("ACME Corp")}}), locale);
    QCOMPARE(preview.kind, EffectPreview::Kind::Payment);
    QCOMPARE(preview.amount, expected);
}

void TestEffectPreview::deletionShowsTargetCountAndIrreversibility()
{
    Action action = makeAction(QStringLiteral("db"), QStringLiteral("delete"),
        {{QStringLiteral("table"), QStringLiteral("customers")},
            {QStringLiteral("where"), QStringLiteral("last_activity < '2023-01-01'")},
            {QStringLiteral("estimatedRows"), 1204}});
    action.impact.irreversible = true;
    EffectPreview preview = effectPreview(action, kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::Deletion);
    QCOMPARE(fieldText(preview, QStringLiteral("Table")), QStringLiteral("customers"));
    QCOMPARE(fieldText(preview, QStringLiteral("Which")), QStringLiteral("last_activity < '2023-01-01'"));
    QCOMPARE(fieldText(preview, QStringLiteral("How many")), QStringLiteral("about 1,204 rows"));
    QVERIFY(anyNoteContains(preview, QStringLiteral("Irreversible")));
    QVERIFY(preview.otherParameters.isEmpty());

    // The impact decides whether "irreversible" is said, not the tool's name.
    action.impact.irreversible = false;
    action.parameters = {{QStringLiteral("table"), QStringLiteral("sessions")}, {QStringLiteral("rows"), 1}};
    preview = effectPreview(action, kEnglish);
    QCOMPARE(fieldText(preview, QStringLiteral("How many")), QStringLiteral("1 row"));
    QVERIFY(!anyNoteContains(preview, QStringLiteral("Irreversible")));
}

void TestEffectPreview::deletionOfFiles()
{
    QJsonArray paths;
    for (int i = 1; i <= 10; ++i)
        paths.append(QStringLiteral("/srv/reports/%1.csv").arg(i));
    Action action = makeAction(QStringLiteral("files"), QStringLiteral("delete"),
        {{QStringLiteral("paths"), paths}, {QStringLiteral("recursive"), false}});
    action.impact.irreversible = true;
    const EffectPreview preview = effectPreview(action, kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::Deletion);
    const QString files = fieldText(preview, QStringLiteral("Files"));
    QVERIFY2(files.startsWith(QStringLiteral("/srv/reports/1.csv, /srv/reports/2.csv")), qPrintable(files));
    QVERIFY2(files.endsWith(QStringLiteral("and 2 more")), qPrintable(files));
    QVERIFY(field(preview, QStringLiteral("Files"))->value.whole.contains(QStringLiteral("/srv/reports/10.csv")));
    QCOMPARE(fieldText(preview, QStringLiteral("How many")), QStringLiteral("10 files"));
    QVERIFY(anyNoteContains(preview, QStringLiteral("Irreversible")));
    QCOMPARE(preview.otherParameters, QStringList{QStringLiteral("recursive")});
}

void TestEffectPreview::permissionChangeIsADiff()
{
    const Action action = makeAction(QStringLiteral("iam"), QStringLiteral("update_permissions"),
        {{QStringLiteral("subject"), QStringLiteral("ops-agent")},
            {QStringLiteral("before"),
                QJsonArray {QStringLiteral("code.execute"), QStringLiteral("logs.read"), QStringLiteral("iam.update_permissions")}},
            {QStringLiteral("after"),
                QJsonArray {QStringLiteral("code.execute"), QStringLiteral("iam.update_permissions"), QStringLiteral("db.delete")}},
            {QStringLiteral("justification"), QStringLiteral("Needed to clean up stale sessions")}});
    const EffectPreview preview = effectPreview(action, kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::PermissionChange);
    QStringList lines;
    for (const PreviewDiffLine &line : preview.diff)
        lines.append(line.text());
    QCOMPARE(lines,
        (QStringList {QStringLiteral("  code.execute"), QStringLiteral("− logs.read"),
            QStringLiteral("  iam.update_permissions"), QStringLiteral("+ db.delete")}));
    QCOMPARE(preview.diff.at(1).change, PreviewDiffLine::Change::Removed);
    QCOMPARE(preview.diff.at(3).change, PreviewDiffLine::Change::Added);
    QCOMPARE(preview.diff.at(0).change, PreviewDiffLine::Change::Unchanged);
    QCOMPARE(fieldText(preview, QStringLiteral("Whose")), QStringLiteral("ops-agent"));
    QCOMPARE(fieldText(preview, QStringLiteral("Change")), QStringLiteral("1 added, 1 removed, 2 unchanged"));
    QCOMPARE(fieldText(preview, QStringLiteral("Justification")), QStringLiteral("Needed to clean up stale sessions"));
    QVERIFY(anyNoteContains(preview, QStringLiteral("its own permissions")));

    // Nothing changes: said so, and no sign on any line.
    const EffectPreview same = effectPreview(makeAction(QStringLiteral("iam"), QStringLiteral("update_permissions"),
        {{QStringLiteral("subject"), QStringLiteral("mail-agent")}, {QStringLiteral("before"), QJsonArray {QStringLiteral("a")}},
            {QStringLiteral("after"), QJsonArray {QStringLiteral("a")}}}), kEnglish);
    QCOMPARE(same.diff.size(), 1);
    QCOMPARE(same.diff.at(0).text(), QStringLiteral("  a"));
    QVERIFY(anyNoteContains(same, QStringLiteral("No change")));
    QVERIFY(!anyNoteContains(same, QStringLiteral("its own permissions")));
}

void TestEffectPreview::credentialsStayRedacted()
{
    // Redacted by the gateway: the mark stays as it is.
    const QString mark = QStringLiteral("[redacted: aws-access-key …3F2A]");
    EffectPreview preview = effectPreview(makeAction(QStringLiteral("email"), QStringLiteral("send"),
        {{QStringLiteral("to"), QStringLiteral("x@partner.com")},
            {QStringLiteral("body"), QStringLiteral("Use the key %1 for the export.").arg(mark)}}), kEnglish);
    QCOMPARE(preview.body.shown, QStringLiteral("Use the key %1 for the export.").arg(mark));

    // Not redacted (a gateway that missed it): the console's own pass redacts it before any
    // preview text is made, in the body, in a subject and in a payment reference alike.
    const QString key = QStringLiteral("AKIAIOSFODNN7EXAMPLE");
    const QString uri = QStringLiteral("postgres://app:S3cr3t-pa55word@db.internal/crm");
    preview = effectPreview(makeAction(QStringLiteral("email"), QStringLiteral("send"),
        {{QStringLiteral("to"), QStringLiteral("x@partner.com")}, {QStringLiteral("subject"), QString(QStringLiteral("key ") + key)},
            {QStringLiteral("body"), QStringLiteral("export AWS_ACCESS_KEY_ID=%1\nDB: %2").arg(key, uri)}}), kEnglish);
    const QString all = preview.texts().join(QLatin1Char('\n'));
    QVERIFY2(!all.contains(key), qPrintable(all));
    QVERIFY2(!all.contains(QStringLiteral("S3cr3t-pa55word")), qPrintable(all));
    QVERIFY(preview.body.shown.contains(QStringLiteral("[redacted: aws-access-key …")));
    QVERIFY(preview.subject.shown.contains(QStringLiteral("[redacted: aws-access-key …")));

    preview = effectPreview(makeAction(QStringLiteral("payments"), QStringLiteral("transfer"),
        {{QStringLiteral("amount"), 10}, {QStringLiteral("beneficiary"), QStringLiteral("ACME")},
            {QStringLiteral("reference"), QString(QStringLiteral("key=") + key)}}), kEnglish);
    QVERIFY(!preview.texts().join(QLatin1Char('\n')).contains(key));
}

void TestEffectPreview::malformedShapesFallBack_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QJsonObject>("parameters");
    QTest::addColumn<bool>("known"); // a kind the builder knows: it says why there is no preview

    const QString email = QStringLiteral("email");
    const QString send = QStringLiteral("send");
    QTest::newRow("email, to is a number") << email << send << QJsonObject {{QStringLiteral("to"), 42}} << true;
    QTest::newRow("email, to holds a number")
        << email << send << QJsonObject {{QStringLiteral("to"), QJsonArray {QStringLiteral("a@b.c"), 7}}} << true;
    QTest::newRow("email, no recipient") << email << send << QJsonObject {{QStringLiteral("subject"), QStringLiteral("hi")}} << true;
    QTest::newRow("email, empty to") << email << send << QJsonObject {{QStringLiteral("to"), QJsonArray {}}} << true;
    QTest::newRow("email, subject is an object")
        << email << send
        << QJsonObject {{QStringLiteral("to"), QStringLiteral("a@b.c")}, {QStringLiteral("subject"), QJsonObject {}}} << true;
    QTest::newRow("email, body is a list")
        << email << send
        << QJsonObject {{QStringLiteral("to"), QStringLiteral("a@b.c")}, {QStringLiteral("body"), QJsonArray {QStringLiteral("x")}}}
        << true;
    QTest::newRow("email, from is a number")
        << email << send << QJsonObject {{QStringLiteral("to"), QStringLiteral("a@b.c")}, {QStringLiteral("from"), 1}} << true;

    const QString payments = QStringLiteral("payments");
    const QString transfer = QStringLiteral("transfer");
    QTest::newRow("payment, no amount") << payments << transfer << QJsonObject {{QStringLiteral("beneficiary"), QStringLiteral("ACME")}} << true;
    QTest::newRow("payment, amount is a word")
        << payments << transfer << QJsonObject {{QStringLiteral("amount"), QStringLiteral("twelve")}} << true;
    QTest::newRow("payment, amount with exponent")
        << payments << transfer << QJsonObject {{QStringLiteral("amount"), QStringLiteral("1e6")}} << true;
    QTest::newRow("payment, amount is huge")
        << payments << transfer << QJsonObject {{QStringLiteral("amount"), 1e300}} << true;
    QTest::newRow("payment, amount is a bool") << payments << transfer << QJsonObject {{QStringLiteral("amount"), true}} << true;
    QTest::newRow("payment, amount object without value")
        << payments << transfer << QJsonObject {{QStringLiteral("amount"), QJsonObject {{QStringLiteral("currency"), QStringLiteral("EUR")}}}}
        << true;
    QTest::newRow("payment, currency is a number")
        << payments << transfer << QJsonObject {{QStringLiteral("amount"), 5}, {QStringLiteral("currency"), 978}} << true;
    QTest::newRow("payment, beneficiary is a number")
        << payments << transfer << QJsonObject {{QStringLiteral("amount"), 5}, {QStringLiteral("beneficiary"), 12}} << true;
    QTest::newRow("payment, beneficiary's iban is a number")
        << payments << transfer
        << QJsonObject {{QStringLiteral("amount"), 5}, {QStringLiteral("beneficiary"), QJsonObject {{QStringLiteral("iban"), 123}}}}
        << true;

    QTest::newRow("delete, no target")
        << "db" << "delete" << QJsonObject {{QStringLiteral("where"), QStringLiteral("1=1")}} << true;
    QTest::newRow("delete, target is an object")
        << "db" << "delete" << QJsonObject {{QStringLiteral("table"), QJsonObject {}}} << true;
    QTest::newRow("delete, paths hold objects")
        << "files" << "delete" << QJsonObject {{QStringLiteral("paths"), QJsonArray {QJsonObject {}}}} << true;
    QTest::newRow("delete, empty paths") << "files" << "delete" << QJsonObject {{QStringLiteral("paths"), QJsonArray {}}} << true;

    const QString iam = QStringLiteral("iam");
    const QString update = QStringLiteral("update_permissions");
    QTest::newRow("permissions, before is text")
        << iam << update
        << QJsonObject {{QStringLiteral("before"), QStringLiteral("a")}, {QStringLiteral("after"), QJsonArray {QStringLiteral("a")}}}
        << true;
    QTest::newRow("permissions, after holds numbers")
        << iam << update << QJsonObject {{QStringLiteral("before"), QJsonArray {}}, {QStringLiteral("after"), QJsonArray {1, 2}}} << true;
    QTest::newRow("permissions, no after") << iam << update << QJsonObject {{QStringLiteral("before"), QJsonArray {}}} << true;
    QTest::newRow("permissions, subject is a list")
        << iam << update
        << QJsonObject {{QStringLiteral("subject"), QJsonArray {}}, {QStringLiteral("before"), QJsonArray {}},
               {QStringLiteral("after"), QJsonArray {}}}
        << true;

    QTest::newRow("unknown tool") << "calendar" << "create" << QJsonObject {{QStringLiteral("title"), QStringLiteral("x")}} << false;
    QTest::newRow("code execution") << "code" << "execute" << QJsonObject {{QStringLiteral("command"), QStringLiteral("ls")}} << false;
    QTest::newRow("known tool, other operation")
        << "email" << "list" << QJsonObject {{QStringLiteral("to"), QStringLiteral("a@b.c")}} << false;
}

void TestEffectPreview::malformedShapesFallBack()
{
    QFETCH(QString, tool);
    QFETCH(QString, operation);
    QFETCH(QJsonObject, parameters);
    QFETCH(bool, known);
    const EffectPreview preview = effectPreview(makeAction(tool, operation, parameters), kEnglish);
    QCOMPARE(preview.kind, EffectPreview::Kind::None);
    QVERIFY(preview.isEmpty());
    QVERIFY(preview.recipients.isEmpty() && preview.fields.isEmpty() && preview.diff.isEmpty());
    QCOMPARE(!preview.unavailable.isEmpty(), known);
}

QTEST_GUILESS_MAIN(TestEffectPreview)
#include "test_effect_preview.moc"
