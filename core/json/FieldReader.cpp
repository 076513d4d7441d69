// Path-aware typed reading of untrusted JSON objects.
#include "core/json/FieldReader.h"

#include <cmath>

#include <QRegularExpression>

namespace countersign::json {

namespace {

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("boolean");
    case QJsonValue::Double: return QStringLiteral("number");
    case QJsonValue::String: return QStringLiteral("string");
    case QJsonValue::Array: return QStringLiteral("array");
    case QJsonValue::Object: return QStringLiteral("object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("undefined");
}

} // namespace

void FieldReader::fail(const QString &path, const QString &rule)
{
    if (!m_error)
        m_error = Error{m_errorCode, path + QStringLiteral(": ") + rule};
}

QString FieldReader::join(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

QString FieldReader::index(const QString &path, qsizetype i)
{
    return path + QLatin1Char('[') + QString::number(i) + QLatin1Char(']');
}

void FieldReader::onlyKnownMembers(const QJsonObject &object, const QString &path,
                                   const QStringList &allowed)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!allowed.contains(it.key())) {
            // The member name is untrusted: show at most a bounded prefix of it.
            fail(join(path, it.key().left(64)), QStringLiteral("unknown field"));
            return;
        }
    }
}

std::optional<QJsonValue> FieldReader::member(const QJsonObject &object, const QString &path,
                                              const QString &key, bool required)
{
    const auto it = object.constFind(key);
    if (it == object.constEnd() || it->isUndefined()) {
        if (required)
            fail(join(path, key), QStringLiteral("missing"));
        return std::nullopt;
    }
    return *it;
}

QString FieldReader::string(const QJsonObject &object, const QString &path, const QString &key,
                            qsizetype maxLength, bool allowEmpty)
{
    const auto value = member(object, path, key, true);
    if (!value)
        return {};
    if (!value->isString()) {
        fail(join(path, key), QStringLiteral("must be a string, not ") + typeName(*value));
        return {};
    }
    QString text = value->toString();
    if (!allowEmpty && text.isEmpty()) {
        fail(join(path, key), QStringLiteral("must not be empty"));
        return {};
    }
    const qsizetype bytes = text.toUtf8().size();
    if (bytes > maxLength) {
        fail(join(path, key), QStringLiteral("longer than %1 bytes (%2)").arg(maxLength).arg(bytes));
        return {};
    }
    return text;
}

std::optional<QString> FieldReader::optionalString(const QJsonObject &object, const QString &path,
                                                   const QString &key, qsizetype maxLength)
{
    if (!object.contains(key))
        return std::nullopt;
    QString text = string(object, path, key, maxLength, false);
    if (failed())
        return std::nullopt;
    return text;
}

QString FieldReader::identifier(const QJsonObject &object, const QString &path, const QString &key,
                                qsizetype maxLength)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._:@/+-]+$"));
    QString text = string(object, path, key, maxLength);
    if (failed())
        return {};
    if (!pattern.match(text).hasMatch()) {
        fail(join(path, key), QStringLiteral("may hold only letters, digits and . _ : @ / + -"));
        return {};
    }
    return text;
}

qint64 FieldReader::integer(const QJsonObject &object, const QString &path, const QString &key,
                            qint64 min, qint64 max)
{
    const auto value = member(object, path, key, true);
    if (!value)
        return 0;
    if (!value->isDouble()) {
        fail(join(path, key), QStringLiteral("must be an integer, not ") + typeName(*value));
        return 0;
    }
    const double d = value->toDouble();
    if (std::trunc(d) != d) {
        fail(join(path, key), QStringLiteral("must be an integer"));
        return 0;
    }
    if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
        fail(join(path, key), QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        return 0;
    }
    return static_cast<qint64>(d);
}

double FieldReader::number(const QJsonObject &object, const QString &path, const QString &key,
                           double min, double max)
{
    const auto value = member(object, path, key, true);
    if (!value)
        return 0;
    if (!value->isDouble()) {
        fail(join(path, key), QStringLiteral("must be a number, not ") + typeName(*value));
        return 0;
    }
    const double d = value->toDouble();
    if (!(d >= min && d <= max)) {
        fail(join(path, key), QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        return 0;
    }
    return d;
}

bool FieldReader::boolean(const QJsonObject &object, const QString &path, const QString &key)
{
    const auto value = member(object, path, key, true);
    if (!value)
        return false;
    if (!value->isBool()) {
        fail(join(path, key), QStringLiteral("must be true or false, not ") + typeName(*value));
        return false;
    }
    return value->toBool();
}

QDateTime FieldReader::timestamp(const QJsonObject &object, const QString &path, const QString &key)
{
    const QString text = string(object, path, key, 64);
    if (failed())
        return {};
    auto parsed = parseTimestamp(text);
    if (!parsed) {
        fail(join(path, key),
             QStringLiteral("must be an RFC 3339 UTC time such as 2026-11-30T14:03:12.000Z"));
        return {};
    }
    return *parsed;
}

QJsonObject FieldReader::object(const QJsonObject &object, const QString &path, const QString &key)
{
    const auto value = member(object, path, key, true);
    if (!value)
        return {};
    if (!value->isObject()) {
        fail(join(path, key), QStringLiteral("must be an object, not ") + typeName(*value));
        return {};
    }
    return value->toObject();
}

std::optional<QJsonObject> FieldReader::optionalObject(const QJsonObject &object,
                                                       const QString &path, const QString &key)
{
    if (!object.contains(key))
        return std::nullopt;
    QJsonObject result = this->object(object, path, key);
    if (failed())
        return std::nullopt;
    return result;
}

QJsonArray FieldReader::array(const QJsonObject &object, const QString &path, const QString &key,
                              qsizetype maxLength)
{
    const auto value = member(object, path, key, true);
    if (!value)
        return {};
    if (!value->isArray()) {
        fail(join(path, key), QStringLiteral("must be an array, not ") + typeName(*value));
        return {};
    }
    QJsonArray result = value->toArray();
    if (result.size() > maxLength) {
        fail(join(path, key),
             QStringLiteral("more than %1 elements (%2)").arg(maxLength).arg(result.size()));
        return {};
    }
    return result;
}

QJsonObject FieldReader::elementObject(const QJsonArray &array, qsizetype index,
                                       const QString &elementPath)
{
    const QJsonValue value = array.at(index);
    if (!value.isObject()) {
        fail(elementPath, QStringLiteral("must be an object, not ") + typeName(value));
        return {};
    }
    return value.toObject();
}

QString formatTimestamp(const QDateTime &utc)
{
    return utc.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

std::optional<QDateTime> parseTimestamp(const QString &text)
{
    // Strict: date, 'T', time, optional 1-9 fraction digits, 'Z'. Offsets other than Z are
    // refused so that one instant has one spelling in signed content.
    static const QRegularExpression pattern(QStringLiteral(
        "^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?Z$"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const QDate date(match.captured(1).toInt(), match.captured(2).toInt(), match.captured(3).toInt());
    int ms = 0;
    if (const QString fraction = match.captured(7); !fraction.isEmpty())
        ms = QString(fraction + QStringLiteral("00")).left(3).toInt();
    const QTime time(match.captured(4).toInt(), match.captured(5).toInt(),
                     match.captured(6).toInt(), ms);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    return QDateTime(date, time, Qt::UTC);
}

} // namespace countersign::json
