// The headline sentence for an action, from its tool, operation and parameters.
#include "models/ActionSummary.h"

#include "core/redaction/Redaction.h"
#include "core/text/DisplayText.h"
#include "models/ParameterShapes.h"

#include <QJsonArray>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>

namespace countersign {

namespace {

constexpr int kMaxNameChars = 60;

QLocale readableLocale(const QLocale &locale)
{
    // The C locale prints 12400 without grouping, which is hard to read at a glance.
    if (locale.language() == QLocale::C)
        return QLocale(QLocale::English, QLocale::UnitedStates);
    return locale;
}

QString accountText(const QString &raw)
{
    if (looksLikeIban(raw))
        return groupIban(raw);
    return displayText(raw, kMaxNameChars);
}

QString beneficiaryText(const QJsonValue &beneficiary)
{
    if (beneficiary.isString())
        return accountText(beneficiary.toString());
    if (!beneficiary.isObject())
        return {};
    const QJsonObject object = beneficiary.toObject();
    const QString name = object.value(QStringLiteral("name")).toString();
    QString account = object.value(QStringLiteral("iban")).toString();
    if (account.isEmpty())
        account = object.value(QStringLiteral("account")).toString();
    if (!name.isEmpty() && !account.isEmpty())
        return displayText(name, kMaxNameChars) + QStringLiteral(" (") + accountText(account) + QLatin1Char(')');
    if (!name.isEmpty())
        return displayText(name, kMaxNameChars);
    return account.isEmpty() ? QString() : accountText(account);
}

bool isNewBeneficiary(const QJsonObject &parameters)
{
    return firstOf(parameters, {"newBeneficiary", "beneficiary.new", "beneficiaryIsNew"}).toBool();
}

QString transferSummary(const Action &action, const QLocale &locale)
{
    const QJsonObject &p = action.parameters;
    const QString amount = decimalTextOf(firstOf(p, {"amount.value", "amount", "payment.amount"}));
    const QString currency = firstOf(p, {"amount.currency", "currency", "payment.currency"}).toString();
    const QString to = beneficiaryText(firstOf(p, {"beneficiary", "to", "recipient", "iban"}));

    QString text = QStringLiteral("Transfer");
    if (!amount.isEmpty()) {
        // Exactly the value sent: never rounded to two places.
        text += QLatin1Char(' ') + formatDecimal(amount, locale, currencyMinorDigits(currency));
        if (!currency.isEmpty())
            text += QLatin1Char(' ') + displayText(currency, 8);
    } else {
        text += QStringLiteral(" money");
    }
    if (!to.isEmpty())
        text += QStringLiteral(" to ") + to;
    if (isNewBeneficiary(p))
        text += QStringLiteral(" (new beneficiary)");
    return text;
}

QString emailSummary(const Action &action, const QLocale &locale)
{
    const QJsonObject &p = action.parameters;
    QSet<QString> seen;
    QStringList recipients;
    for (const char *field : {"to", "cc", "bcc"}) {
        const QStringList addresses = mailAddressesOf(p.value(QLatin1String(field)));
        for (const QString &address : addresses) {
            const QString key = address.toLower();
            if (!seen.contains(key)) {
                seen.insert(key);
                recipients.append(address);
            }
        }
    }
    const QString home = homeMailDomain(p, action.identity.user.id);

    const auto count = recipients.size();
    QString text =
        QStringLiteral("Send an email to %1 %2")
            .arg(locale.toString(count), count == 1 ? QStringLiteral("recipient") : QStringLiteral("recipients"));
    if (count == 0 || home.isEmpty())
        return text;
    qsizetype outside = 0;
    for (const QString &recipient : recipients) {
        if (!isInsideDomain(mailDomainOf(recipient), home))
            ++outside;
    }
    const QString domain = displayText(home, kMaxNameChars);
    if (outside == 0)
        return text + (count == 1 ? QStringLiteral(" at ") : QStringLiteral(", all at ")) + domain;
    if (count == 1)
        return text + QStringLiteral(" outside ") + domain;
    return text + QStringLiteral(", %1 outside ").arg(locale.toString(outside)) + domain;
}

QString deleteSummary(const Action &action, const QLocale &locale)
{
    const QJsonObject &p = action.parameters;
    const std::optional<double> rows = numberOf(firstOf(p, {"rows", "rowCount", "estimatedRows", "count"}));
    const QString table = firstOf(p, {"table", "from"}).toString();
    QString text = QStringLiteral("Delete");
    if (rows && *rows >= 0 && *rows < 1e15) {
        const auto n = static_cast<qint64>(*rows);
        text += QLatin1Char(' ') + locale.toString(n) + (n == 1 ? QStringLiteral(" row") : QStringLiteral(" rows"));
    } else {
        text += QStringLiteral(" rows");
    }
    if (!table.isEmpty())
        text += QStringLiteral(" from ") + displayText(table, kMaxNameChars);
    return text;
}

QString quoted(const QString &text, int maxChars)
{
    return QStringLiteral("“") + displayText(text, maxChars) + QStringLiteral("”");
}

QStringList stringsOf(const QJsonValue &value)
{
    QStringList strings;
    const QJsonArray array = value.toArray();
    for (const auto &element : array) {
        if (element.isString())
            strings.append(element.toString());
    }
    return strings;
}

QString listText(const QStringList &items, int maxItems)
{
    QStringList shown;
    for (const QString &item : items.mid(0, maxItems))
        shown.append(displayText(item, 40));
    QString text = shown.join(QStringLiteral(", "));
    if (items.size() > maxItems)
        text += QStringLiteral(" and %1 more").arg(items.size() - maxItems);
    return text;
}

QString executeSummary(const Action &action)
{
    const QJsonObject &p = action.parameters;
    const QString command = p.value(QStringLiteral("command")).toString();
    const QString host = p.value(QStringLiteral("host")).toString();
    QString text = command.isEmpty() ? QStringLiteral("Run a command") : QStringLiteral("Run ") + quoted(command, 70);
    if (!host.isEmpty())
        text += QStringLiteral(" on ") + displayText(host, kMaxNameChars);
    return text;
}

QString exportSummary(const Action &action, const QLocale &locale)
{
    const QJsonObject &p = action.parameters;
    const std::optional<double> rows = numberOf(firstOf(p, {"rows", "rowCount", "estimatedRows"}));
    const QString segment = p.value(QStringLiteral("segment")).toString();
    const QStringList fields = stringsOf(p.value(QStringLiteral("fields")));
    const QString destination = p.value(QStringLiteral("destination")).toString();
    QString text = QStringLiteral("Export");
    if (rows && *rows >= 0 && *rows < 1e15)
        text += QLatin1Char(' ') + locale.toString(static_cast<qint64>(*rows)) + QStringLiteral(" records");
    else
        text += QStringLiteral(" records");
    if (!segment.isEmpty())
        text += QStringLiteral(" of ") + displayText(segment, kMaxNameChars);
    if (!fields.isEmpty())
        text += QStringLiteral(" (") + listText(fields, 4) + QLatin1Char(')');
    if (!destination.isEmpty())
        text += QStringLiteral(" to ") + displayText(destination, 80);
    return text;
}

QString permissionsSummary(const Action &action)
{
    const QJsonObject &p = action.parameters;
    const QStringList before = stringsOf(p.value(QStringLiteral("before")));
    const QStringList after = stringsOf(p.value(QStringLiteral("after")));
    QString subject = p.value(QStringLiteral("subject")).toString();
    QStringList added;
    QStringList removed;
    for (const QString &permission : after) {
        if (!before.contains(permission))
            added.append(permission);
    }
    for (const QString &permission : before) {
        if (!after.contains(permission))
            removed.append(permission);
    }
    const bool own =
        !subject.isEmpty() && !action.identity.agents.isEmpty() && subject == action.identity.actingAgent().id;
    const QString who = subject.isEmpty() ? QStringLiteral("a principal") : displayText(subject, kMaxNameChars);
    QString text;
    if (!added.isEmpty() && removed.isEmpty())
        text = QStringLiteral("Grant %1 to %2").arg(listText(added, 3), who);
    else if (added.isEmpty() && !removed.isEmpty())
        text = QStringLiteral("Remove %1 from %2").arg(listText(removed, 3), who);
    else if (!added.isEmpty())
        text = QStringLiteral("Change the permissions of %1: grant %2, remove %3")
                   .arg(who, listText(added, 3), listText(removed, 3));
    else
        text = QStringLiteral("Change the permissions of %1").arg(who);
    if (own)
        text += QStringLiteral(" (its own permissions)");
    return text;
}

} // namespace

QString actionToolName(const Action &action)
{
    return displayText(action.tool + QLatin1Char('.') + action.operation, 130);
}

QString actionSummary(const Action &action)
{
    return actionSummary(action, QLocale());
}

QString actionSummary(const Action &given, const QLocale &locale)
{
    // The console redacts before it shows anything, the headline included: a gateway that
    // missed a password in a command must not get it onto the screen through this sentence.
    Action action = given;
    action.parameters = redaction::redactJson(given.parameters).toObject();
    const QLocale readable = readableLocale(locale);
    const QString tool = action.tool;
    const QString operation = action.operation;
    if (tool == QLatin1String("payments") && operation == QLatin1String("transfer"))
        return transferSummary(action, readable);
    if (tool == QLatin1String("email") && operation == QLatin1String("send"))
        return emailSummary(action, readable);
    if ((tool == QLatin1String("db") || tool == QLatin1String("database")) && operation == QLatin1String("delete"))
        return deleteSummary(action, readable);
    if (tool == QLatin1String("code") && operation == QLatin1String("execute"))
        return executeSummary(action);
    if (tool == QLatin1String("crm") && operation == QLatin1String("export"))
        return exportSummary(action, readable);
    if (tool == QLatin1String("iam") && operation == QLatin1String("update_permissions"))
        return permissionsSummary(action);
    return actionToolName(action);
}

QString tierTitle(int tier)
{
    switch (tier) {
    case 1:
        return QStringLiteral("Low");
    case 2:
        return QStringLiteral("Moderate");
    case 3:
        return QStringLiteral("High");
    case 4:
        return QStringLiteral("Critical");
    default:
        return QStringLiteral("Tier %1").arg(tier);
    }
}

QString formatTimeLeft(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("expired");
    const qint64 seconds = (ms + 999) / 1000;
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds);
    const qint64 hours = seconds / 3600;
    const qint64 minutes = (seconds / 60) % 60;
    const qint64 secs = seconds % 60;
    if (hours > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(hours)
            .arg(minutes, 2, 10, QLatin1Char('0'))
            .arg(secs, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(minutes).arg(secs, 2, 10, QLatin1Char('0'));
}

} // namespace countersign
