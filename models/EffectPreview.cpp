// Turning an action's (redacted) parameters into a preview of its effect.
#include "models/EffectPreview.h"

#include "core/json/Json.h"
#include "core/redaction/Redaction.h"
#include "core/text/DisplayText.h"
#include "core/text/Spoofing.h"
#include "models/ParameterShapes.h"

#include <algorithm>
#include <cmath>

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace countersign {

namespace {

constexpr int kMaxNameChars = 80;
constexpr int kMaxListed = 8; // targets listed before "and N more"

bool oneOf(const QString &value, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        if (value == QLatin1String(name))
            return true;
    }
    return false;
}

// A single-line piece of action text. A line break in it is shown as "⏎" and counts as hidden:
// in a subject or a name it is how a header or a second line is smuggled in.
PreviewText lineText(const QString &raw, int maxChars = kPreviewValueChars)
{
    PreviewText text;
    const QString full = displayText(raw, 0, TextLines::Single);
    if (full.size() > maxChars) {
        text.shown = displayText(raw, maxChars, TextLines::Single);
        text.whole = displayText(raw, 0, TextLines::Multiple);
    } else {
        text.shown = full;
    }
    text.hidden = hasHiddenCharacters(raw) || raw.contains(QLatin1Char('\n')) || raw.contains(QLatin1Char('\t'));
    return text;
}

// Several lines (a message body): elided by characters and by lines.
PreviewText bodyText(const QString &raw)
{
    PreviewText text;
    const QString full = displayText(raw, 0, TextLines::Multiple);
    QString shown = displayText(raw, kPreviewBodyChars, TextLines::Multiple);
    bool cut = shown.size() != full.size();
    QStringList lines = shown.split(QLatin1Char('\n'));
    if (lines.size() > kPreviewBodyLines) {
        lines = lines.mid(0, kPreviewBodyLines);
        shown = lines.join(QLatin1Char('\n')) + QStringLiteral("\n…");
        cut = true;
    }
    text.shown = shown;
    if (cut)
        text.whole = full;
    text.hidden = hasHiddenCharacters(raw);
    return text;
}

// Reads parameters by dotted path and remembers which top-level members it used, so that the
// preview can name the ones it does not show.
class Reader {
public:
    explicit Reader(const QJsonObject &parameters) : m_parameters(parameters) {}

    QJsonValue take(std::initializer_list<const char *> paths)
    {
        for (const char *path : paths) {
            const QString dotted = QString::fromLatin1(path);
            const QJsonValue value = valueAtPath(m_parameters, dotted);
            if (!value.isUndefined() && !value.isNull()) {
                m_used.insert(dotted.section(QLatin1Char('.'), 0, 0));
                return value;
            }
        }
        return QJsonValue(QJsonValue::Undefined);
    }
    void use(const QString &key) { m_used.insert(key); }

    [[nodiscard]] QStringList others() const
    {
        QStringList names;
        const QStringList keys = m_parameters.keys();
        for (const QString &key : keys) {
            if (!m_used.contains(key))
                names.append(displayText(key, 64));
        }
        return names;
    }

private:
    const QJsonObject &m_parameters;
    QSet<QString> m_used;
};

// A value that is not text, shown as compact JSON (a filter object, say).
QString jsonText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    if (value.isDouble())
        return QString::fromLatin1(json::formatNumber(value.toDouble()));
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return {};
}

EffectPreview unavailable(const QString &why)
{
    EffectPreview preview;
    preview.unavailable = why;
    return preview;
}

// ---- Email ---------------------------------------------------------------------------------

bool isAddressList(const QJsonValue &value)
{
    if (value.isString())
        return true;
    if (value.isObject())
        return !mailAddressOf(value).isEmpty();
    if (!value.isArray())
        return false;
    const QJsonArray array = value.toArray();
    return std::all_of(array.begin(), array.end(), [](const QJsonValue &element) {
        return element.isString() || (element.isObject() && !mailAddressOf(element).isEmpty());
    });
}

QString attachmentName(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    const QJsonObject object = value.toObject();
    for (const char *key : {"name", "filename", "fileName", "path"}) {
        const QJsonValue name = object.value(QLatin1String(key));
        if (name.isString() && !name.toString().isEmpty())
            return name.toString();
    }
    return {};
}

EffectPreview emailPreview(const Action &action, const QJsonObject &p)
{
    Reader reader(p);
    EffectPreview preview;
    preview.kind = EffectPreview::Kind::Email;
    preview.title = QStringLiteral("Email, as it would be sent");

    const QJsonValue from = reader.take({"from"});
    if (!from.isUndefined() && !from.isString() && mailAddressOf(from).isEmpty())
        return unavailable(QStringLiteral("“from” is not an address"));
    const QString home = homeMailDomain(p, action.identity.user.id);
    preview.homeDomain = displayText(home, kMaxNameChars);
    if (!from.isUndefined())
        preview.from = lineText(from.isString() ? from.toString() : mailAddressOf(from));

    const struct {
        const char *key;
        QString label;
    } fields[] = {{"to", QStringLiteral("To")}, {"cc", QStringLiteral("Cc")}, {"bcc", QStringLiteral("Bcc")}};
    for (const auto &field : fields) {
        const QJsonValue value = reader.take({field.key});
        if (value.isUndefined())
            continue;
        if (!isAddressList(value))
            return unavailable(QStringLiteral("“%1” is not a list of addresses").arg(QLatin1String(field.key)));
        const QStringList addresses = mailAddressesOf(value);
        for (const QString &address : addresses) {
            PreviewRecipient recipient;
            recipient.field = field.label;
            recipient.address = lineText(address, kMaxNameChars);
            const QString domain = mailDomainOf(address);
            recipient.external = !isInsideDomain(domain, home);
            if (!domain.isEmpty()) {
                const DomainCheck check = checkDomain(domain, home.isEmpty() ? QStringList{} : QStringList{home});
                if (check.suspicious())
                    recipient.lookalike = displayText(check.warning(), 240);
            }
            preview.recipients.append(recipient);
        }
    }
    if (preview.recipients.isEmpty())
        return unavailable(QStringLiteral("no recipient in “to”, “cc” or “bcc”"));

    const QJsonValue subject = reader.take({"subject"});
    if (!subject.isUndefined() && !subject.isString())
        return unavailable(QStringLiteral("“subject” is not text"));
    preview.subject = lineText(subject.toString());

    const QJsonValue body = reader.take({"body", "text"});
    if (!body.isUndefined() && !body.isString())
        return unavailable(QStringLiteral("the body is not plain text"));
    preview.body = bodyText(body.toString());

    for (const char *key : {"attachments", "attachment"}) {
        bool allNamed = true;
        const QJsonValue value = p.value(QLatin1String(key));
        if (value.isUndefined() || value.isNull())
            continue;
        const QJsonArray list = value.isArray() ? value.toArray() : QJsonArray{value};
        for (const QJsonValue &element : list) {
            const QString name = attachmentName(element);
            if (name.isEmpty())
                allNamed = false;
            else
                preview.attachments.append(lineText(name, kMaxNameChars));
        }
        // Named in full above; otherwise the raw parameters say what the unnamed ones are.
        if (allNamed)
            reader.use(QLatin1String(key));
    }

    const qsizetype outside = preview.externalRecipients();
    if (home.isEmpty()) {
        preview.notes.append(PreviewNote{Semantic::Warning,
            QStringLiteral("The sender's domain is not known, so every recipient is marked as external.")});
    } else if (outside > 0 && preview.recipients.size() == 1) {
        preview.notes.append(PreviewNote{Semantic::Warning,
            QStringLiteral("The recipient is outside %1.").arg(preview.homeDomain)});
    } else if (outside > 0) {
        preview.notes.append(PreviewNote{Semantic::Warning,
            QStringLiteral("%1 of %2 recipients %3 outside %4.")
                .arg(outside)
                .arg(preview.recipients.size())
                .arg(outside == 1 ? QStringLiteral("is") : QStringLiteral("are"), preview.homeDomain)});
    }
    if (p.contains(QStringLiteral("html")) || p.contains(QStringLiteral("htmlBody"))) {
        preview.notes.append(PreviewNote{Semantic::Warning,
            QStringLiteral("The message also has an HTML body, which is not previewed: see the raw parameters.")});
    }
    preview.otherParameters = reader.others();
    return preview;
}

// ---- Payment -------------------------------------------------------------------------------

EffectPreview paymentPreview(const QJsonObject &p, const QLocale &locale)
{
    Reader reader(p);
    EffectPreview preview;
    preview.kind = EffectPreview::Kind::Payment;
    preview.title = QStringLiteral("Payment");

    const QJsonValue amountValue = reader.take({"amount.value", "amount", "payment.amount"});
    const QString decimal = decimalTextOf(amountValue);
    if (decimal.isEmpty())
        return unavailable(QStringLiteral("the amount is missing or not a plain number"));
    const QJsonValue currency = reader.take({"amount.currency", "currency", "payment.currency"});
    if (!currency.isUndefined() && !currency.isString())
        return unavailable(QStringLiteral("the currency is not text"));
    preview.currency = lineText(currency.toString(), 12);
    preview.amount = formatDecimal(decimal, locale, currencyMinorDigits(currency.toString()));

    const QJsonValue beneficiary = reader.take({"beneficiary", "payee", "recipient", "to"});
    if (beneficiary.isString()) {
        const QString account = beneficiary.toString();
        preview.fields.append(PreviewField{looksLikeIban(account) ? QStringLiteral("IBAN") : QStringLiteral("Beneficiary"),
            looksLikeIban(account) ? lineText(groupIban(account)) : lineText(account)});
    } else if (beneficiary.isObject()) {
        const QJsonObject object = beneficiary.toObject();
        const struct {
            const char *key;
            QString label;
        } parts[] = {{"name", QStringLiteral("Beneficiary")}, {"iban", QStringLiteral("IBAN")},
            {"account", QStringLiteral("Account")}, {"bic", QStringLiteral("BIC")}, {"bank", QStringLiteral("Bank")}};
        for (const auto &part : parts) {
            const QJsonValue value = object.value(QLatin1String(part.key));
            if (value.isUndefined() || value.isNull())
                continue;
            if (!value.isString())
                return unavailable(QStringLiteral("the beneficiary's “%1” is not text").arg(QLatin1String(part.key)));
            const QString text = value.toString();
            const bool iban = QLatin1String(part.key) == QLatin1String("iban") && looksLikeIban(text);
            preview.fields.append(PreviewField{part.label, lineText(iban ? groupIban(text) : text)});
        }
        if (preview.fields.isEmpty())
            return unavailable(QStringLiteral("the beneficiary has no name, IBAN or account"));
    } else if (!beneficiary.isUndefined()) {
        return unavailable(QStringLiteral("the beneficiary is neither text nor an object"));
    } else {
        preview.notes.append(PreviewNote{Semantic::Warning, QStringLiteral("The parameters name no beneficiary.")});
    }

    const QJsonValue isNew = reader.take({"newBeneficiary", "beneficiary.new", "beneficiaryIsNew"});
    if (isNew.isBool()) {
        preview.fields.append(PreviewField{QStringLiteral("New beneficiary"),
            {isNew.toBool() ? QStringLiteral("Yes — not paid before") : QStringLiteral("No — paid before"), {}, false}});
        if (isNew.toBool())
            preview.notes.append(PreviewNote{Semantic::Warning,
                QStringLiteral("New beneficiary: this account has not been paid before. Check it against the "
                               "invoice or the supplier record.")});
    }

    const QJsonValue reference = reader.take({"reference", "memo", "description", "remittanceInformation",
        "payment.reference"});
    if (reference.isString())
        preview.fields.append(PreviewField{QStringLiteral("Reference"), lineText(reference.toString())});
    else if (!reference.isUndefined())
        return unavailable(QStringLiteral("the reference is not text"));

    preview.otherParameters = reader.others();
    return preview;
}

// ---- Deletion ------------------------------------------------------------------------------

EffectPreview deletionPreview(const Action &action, const QJsonObject &p, const QLocale &locale)
{
    Reader reader(p);
    EffectPreview preview;
    preview.kind = EffectPreview::Kind::Deletion;
    preview.title = QStringLiteral("Deletion");

    // Which member names the target decides what is counted.
    const struct {
        const char *key;
        QString label;
        QString unit;
    } targets[] = {{"table", QStringLiteral("Table"), QStringLiteral("row")},
        {"collection", QStringLiteral("Collection"), QStringLiteral("record")},
        {"paths", QStringLiteral("Files"), QStringLiteral("file")},
        {"files", QStringLiteral("Files"), QStringLiteral("file")},
        {"path", QStringLiteral("File"), QStringLiteral("file")},
        {"file", QStringLiteral("File"), QStringLiteral("file")},
        {"bucket", QStringLiteral("Bucket"), QStringLiteral("object")},
        {"keys", QStringLiteral("Keys"), QStringLiteral("object")},
        {"ids", QStringLiteral("Records"), QStringLiteral("record")},
        {"targets", QStringLiteral("Targets"), QStringLiteral("item")},
        {"target", QStringLiteral("Target"), QStringLiteral("item")},
        {"resource", QStringLiteral("Resource"), QStringLiteral("item")},
        {"from", QStringLiteral("From"), QStringLiteral("row")}};
    QString unit = QStringLiteral("item");
    qsizetype listed = -1; // the number of targets when they are a list
    for (const auto &target : targets) {
        const QJsonValue value = p.value(QLatin1String(target.key));
        if (value.isUndefined() || value.isNull())
            continue;
        reader.use(QLatin1String(target.key));
        if (value.isString()) {
            preview.fields.append(PreviewField{target.label, lineText(value.toString())});
        } else if (value.isArray()) {
            const QJsonArray array = value.toArray();
            QStringList names;
            for (const QJsonValue &element : array) {
                if (!element.isString() && !element.isDouble())
                    return unavailable(QStringLiteral("“%1” holds something other than names").arg(QLatin1String(target.key)));
                names.append(element.isString() ? element.toString() : jsonText(element));
            }
            if (names.isEmpty())
                return unavailable(QStringLiteral("“%1” is empty").arg(QLatin1String(target.key)));
            // The first few in the line, every one of them in the whole.
            QString shown = names.mid(0, kMaxListed).join(QStringLiteral(", "));
            if (names.size() > kMaxListed)
                shown += QStringLiteral(" and %1 more").arg(names.size() - kMaxListed);
            PreviewText text = lineText(shown, 400);
            text.hidden = text.hidden || std::any_of(names.cbegin(), names.cend(), [](const QString &name) {
                return hasHiddenCharacters(name) || name.contains(QLatin1Char('\n'));
            });
            if (names.size() > kMaxListed)
                text.whole = displayText(names.join(QLatin1Char('\n')), 0, TextLines::Multiple);
            preview.fields.append(PreviewField{target.label, text});
            listed = names.size();
        } else {
            return unavailable(QStringLiteral("“%1” is neither text nor a list").arg(QLatin1String(target.key)));
        }
        unit = target.unit;
        break; // one target kind; any other member is named as a parameter not shown
    }
    if (preview.fields.isEmpty())
        return unavailable(QStringLiteral("no table, file or other target is named"));

    const QJsonValue where = reader.take({"where", "filter", "query", "condition"});
    if (!where.isUndefined())
        preview.fields.append(PreviewField{QStringLiteral("Which"), lineText(jsonText(where))});

    const QJsonValue countValue = p.value(QStringLiteral("estimatedRows")).isUndefined()
        ? reader.take({"rows", "rowCount", "count", "fileCount", "records"})
        : reader.take({"estimatedRows"});
    const bool estimated = !p.value(QStringLiteral("estimatedRows")).isUndefined();
    const std::optional<double> count = countValue.isDouble() ? std::optional<double>(countValue.toDouble())
                                                              : numberOf(countValue);
    if (count && *count >= 0 && *count < 1e15 && std::floor(*count) == *count) {
        const auto n = static_cast<qint64>(*count);
        preview.fields.append(PreviewField{QStringLiteral("How many"),
            {QStringLiteral("%1%2 %3%4")
                    .arg(estimated ? QStringLiteral("about ") : QString(), locale.toString(n), unit,
                        n == 1 ? QString() : QStringLiteral("s")),
                {}, false}});
    } else if (!countValue.isUndefined()) {
        preview.fields.append(PreviewField{QStringLiteral("How many"), lineText(jsonText(countValue))});
    } else if (listed >= 0) {
        preview.fields.append(PreviewField{QStringLiteral("How many"),
            {QStringLiteral("%1 %2%3").arg(locale.toString(listed), unit, listed == 1 ? QString() : QStringLiteral("s")),
                {}, false}});
    }

    if (action.impact.irreversible)
        preview.notes.append(PreviewNote{Semantic::Danger,
            QStringLiteral("Irreversible: once deleted, this cannot be restored.")});
    preview.otherParameters = reader.others();
    return preview;
}

// ---- Permission change ---------------------------------------------------------------------

// The strings of an array, or nothing when it is not an array of strings.
std::optional<QStringList> permissionList(const QJsonValue &value)
{
    if (!value.isArray())
        return std::nullopt;
    QStringList list;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &element : array) {
        if (!element.isString())
            return std::nullopt;
        if (!list.contains(element.toString()))
            list.append(element.toString());
    }
    return list;
}

EffectPreview permissionPreview(const Action &action, const QJsonObject &p)
{
    Reader reader(p);
    EffectPreview preview;
    preview.kind = EffectPreview::Kind::PermissionChange;
    preview.title = QStringLiteral("Permission change");

    const std::optional<QStringList> before = permissionList(reader.take({"before", "permissions.before"}));
    const std::optional<QStringList> after = permissionList(reader.take({"after", "permissions.after"}));
    if (!before || !after)
        return unavailable(QStringLiteral("“before” and “after” are not both lists of permissions"));

    const QJsonValue subject = reader.take({"subject", "principal", "agent", "role"});
    if (subject.isString()) {
        preview.fields.append(PreviewField{QStringLiteral("Whose"), lineText(subject.toString(), kMaxNameChars)});
        if (!action.identity.agents.isEmpty() && subject.toString() == action.identity.actingAgent().id)
            preview.notes.append(PreviewNote{Semantic::Warning,
                QStringLiteral("The acting agent is changing its own permissions.")});
    } else if (!subject.isUndefined()) {
        return unavailable(QStringLiteral("the subject is not text"));
    }

    int added = 0;
    int removed = 0;
    for (const QString &permission : *before) {
        const bool kept = after->contains(permission);
        preview.diff.append(PreviewDiffLine{kept ? PreviewDiffLine::Change::Unchanged : PreviewDiffLine::Change::Removed,
            lineText(permission, kMaxNameChars)});
        removed += kept ? 0 : 1;
    }
    for (const QString &permission : *after) {
        if (!before->contains(permission)) {
            preview.diff.append(PreviewDiffLine{PreviewDiffLine::Change::Added, lineText(permission, kMaxNameChars)});
            ++added;
        }
    }
    preview.fields.append(PreviewField{QStringLiteral("Change"),
        {QStringLiteral("%1 added, %2 removed, %3 unchanged").arg(added).arg(removed).arg(preview.diff.size() - added - removed),
            {}, false}});
    if (added == 0 && removed == 0)
        preview.notes.append(PreviewNote{Semantic::Info, QStringLiteral("No change: the permissions after are the ones before.")});

    const QJsonValue why = reader.take({"justification", "reason"});
    if (why.isString())
        preview.fields.append(PreviewField{QStringLiteral("Justification"), lineText(why.toString())});

    preview.otherParameters = reader.others();
    return preview;
}

} // namespace

QString PreviewDiffLine::text() const
{
    switch (change) {
    case Change::Added:
        return QStringLiteral("+ ") + permission.shown;
    case Change::Removed:
        return QStringLiteral("− ") + permission.shown;
    case Change::Unchanged:
        break;
    }
    return QStringLiteral("  ") + permission.shown;
}

qsizetype EffectPreview::externalRecipients() const
{
    return std::count_if(recipients.cbegin(), recipients.cend(), [](const PreviewRecipient &r) { return r.external; });
}

QStringList EffectPreview::texts() const
{
    QStringList all{title, from.shown, homeDomain, subject.shown, body.shown, body.whole, amount, currency.shown,
        unavailable};
    for (const PreviewRecipient &recipient : recipients)
        all << recipient.address.shown << recipient.lookalike;
    for (const PreviewText &attachment : attachments)
        all << attachment.shown;
    for (const PreviewField &field : fields)
        all << field.label << field.value.shown << field.value.whole;
    for (const PreviewDiffLine &line : diff)
        all << line.text();
    for (const PreviewNote &note : notes)
        all << note.text;
    all << otherParameters;
    all.removeAll(QString());
    return all;
}

EffectPreview effectPreview(const Action &action, const QLocale &locale)
{
    // What the pane shows is what the console's own redaction left: a credential the gateway
    // missed is not previewed either.
    const QJsonObject p = redaction::redactJson(action.parameters).toObject();
    // The C locale prints 12400 without grouping, which is hard to read at a glance.
    const QLocale readable = locale.language() == QLocale::C ? QLocale(QLocale::English, QLocale::UnitedStates) : locale;
    const QString &tool = action.tool;
    const QString &operation = action.operation;

    if (oneOf(tool, {"email", "mail", "gmail", "outlook", "smtp"})
        && oneOf(operation, {"send", "send_email", "send_message", "reply", "forward"}))
        return emailPreview(action, p);
    if (oneOf(tool, {"payments", "payment", "banking", "bank"}) && oneOf(operation, {"transfer", "pay", "payout"}))
        return paymentPreview(p, readable);
    if (oneOf(operation, {"delete", "delete_many", "bulk_delete", "remove", "purge", "destroy", "drop", "truncate"})
        && !oneOf(tool, {"iam", "permissions", "acl", "rbac"}))
        return deletionPreview(action, p, readable);
    if (oneOf(tool, {"iam", "permissions", "acl", "rbac", "access"})
        && oneOf(operation, {"update_permissions", "set_permissions", "change_permissions", "update_roles", "set_roles"}))
        return permissionPreview(action, p);
    return {};
}

} // namespace countersign
