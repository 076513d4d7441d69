// Deliberate approval: which actions, and which fact to retype.
#include "models/KeyFact.h"

#include "core/json/Json.h"

#include <cmath>

#include <QJsonArray>
#include <QJsonValue>

namespace countersign {

namespace {

constexpr qsizetype kMaxFactChars = 256;

bool usable(const QString &text)
{
    const QString trimmed = text.trimmed();
    return !trimmed.isEmpty() && trimmed.size() <= kMaxFactChars && !trimmed.contains(QLatin1Char('\n'))
        && !trimmed.contains(QLatin1Char('\r'));
}

// A recipient-like value: a string, an object by one of its naming members, or a list's first element.
std::optional<std::pair<QString, QString>> recipientOf(const QJsonValue &value, const QString &path, int depth = 0)
{
    if (value.isString()) {
        if (usable(value.toString()))
            return std::pair {path, value.toString().trimmed()};
        return std::nullopt;
    }
    if (depth > 1)
        return std::nullopt;
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (const char *member : {"iban", "account", "address", "email", "id", "name"}) {
            const QString key = QLatin1String(member);
            const QJsonValue inner = object.value(key);
            if (inner.isString() && usable(inner.toString()))
                return std::pair {path + QLatin1Char('.') + key, inner.toString().trimmed()};
        }
        return std::nullopt;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (array.isEmpty())
            return std::nullopt;
        return recipientOf(array.first(), path + QStringLiteral("[0]"), depth + 1);
    }
    return std::nullopt;
}

} // namespace

QString KeyFact::noun() const
{
    switch (kind) {
    case Kind::Amount:
        return QStringLiteral("the amount");
    case Kind::Recipient:
        return QStringLiteral("the recipient");
    case Kind::RecordCount:
        return QStringLiteral("the number of records");
    }
    return {};
}

QList<ImpactCategory> defaultDeliberateCategories()
{
    return {ImpactCategory::Financial, ImpactCategory::SelfPermissionChange};
}

bool requiresDeliberateApproval(const Action &action, const QList<ImpactCategory> &categories)
{
    if (action.impact.tier >= 4)
        return true;
    for (ImpactCategory category : action.impact.categories) {
        if (categories.contains(category))
            return true;
    }
    return false;
}

std::optional<KeyFact> keyFact(const Action &action)
{
    const QJsonObject &parameters = action.parameters;

    const QJsonValue amount = parameters.value(QStringLiteral("amount"));
    if (amount.isDouble() && std::isfinite(amount.toDouble()))
        return KeyFact {KeyFact::Kind::Amount, QStringLiteral("amount"),
            QString::fromLatin1(json::formatNumber(amount.toDouble()))};
    if (amount.isString() && usable(amount.toString()))
        return KeyFact {KeyFact::Kind::Amount, QStringLiteral("amount"), amount.toString().trimmed()};

    for (const char *name : {"to", "recipient", "beneficiary", "subject"}) {
        const QString key = QLatin1String(name);
        if (const auto recipient = recipientOf(parameters.value(key), key))
            return KeyFact {KeyFact::Kind::Recipient, recipient->first, recipient->second};
    }

    for (const char *name : {"count", "records", "recordCount", "rows", "rowCount", "estimatedRows"}) {
        const QString key = QLatin1String(name);
        const QJsonValue value = parameters.value(key);
        if (value.isDouble() && std::isfinite(value.toDouble()) && std::trunc(value.toDouble()) == value.toDouble()
            && value.toDouble() >= 0)
            return KeyFact {KeyFact::Kind::RecordCount, key, QString::fromLatin1(json::formatNumber(value.toDouble()))};
    }
    return std::nullopt;
}

bool keyFactMatches(const KeyFact &fact, const QString &typed)
{
    return !fact.value.isEmpty() && typed.trimmed() == fact.value;
}

} // namespace countersign
