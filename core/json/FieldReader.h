// Typed, path-aware reading of untrusted JSON objects. The first rule broken is kept, with the
// full field path ("identity.agents[1].id: missing"), so every caller reports errors the same way.
#pragma once

#include "core/Result.h"

#include <optional>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace countersign::json {

class FieldReader final
{
public:
    // errorCode is the Error::code reported for any rule broken (e.g. "action.invalid").
    explicit FieldReader(QString errorCode) : m_errorCode(std::move(errorCode)) {}

    [[nodiscard]] bool failed() const { return m_error.has_value(); }
    [[nodiscard]] Error error() const { return m_error.value_or(Error{}); }

    // Records "path: rule" unless an earlier rule was already broken.
    void fail(const QString &path, const QString &rule);

    // Refuses members not in allowed: a misspelled field is an error, not silently ignored.
    void onlyKnownMembers(const QJsonObject &object, const QString &path, const QStringList &allowed);

    // maxLength counts UTF-8 bytes. Empty strings are refused unless allowEmpty.
    QString string(const QJsonObject &object, const QString &path, const QString &key,
                   qsizetype maxLength, bool allowEmpty = false);
    std::optional<QString> optionalString(const QJsonObject &object, const QString &path,
                                          const QString &key, qsizetype maxLength);
    // A string of [A-Za-z0-9._:@/+-]: ids, tool names, agent names.
    QString identifier(const QJsonObject &object, const QString &path, const QString &key,
                       qsizetype maxLength = 128);
    qint64 integer(const QJsonObject &object, const QString &path, const QString &key,
                   qint64 min, qint64 max);
    double number(const QJsonObject &object, const QString &path, const QString &key, double min,
                  double max);
    bool boolean(const QJsonObject &object, const QString &path, const QString &key);
    // RFC 3339 UTC timestamp with a "Z" suffix, e.g. "2026-11-30T14:03:12.123Z".
    QDateTime timestamp(const QJsonObject &object, const QString &path, const QString &key);
    QJsonObject object(const QJsonObject &object, const QString &path, const QString &key);
    std::optional<QJsonObject> optionalObject(const QJsonObject &object, const QString &path,
                                              const QString &key);
    QJsonArray array(const QJsonObject &object, const QString &path, const QString &key,
                     qsizetype maxLength);
    // Validates one element of an array that must hold objects.
    QJsonObject elementObject(const QJsonArray &array, qsizetype index, const QString &elementPath);

    static QString join(const QString &path, const QString &key);
    static QString index(const QString &path, qsizetype i);

private:
    std::optional<QJsonValue> member(const QJsonObject &object, const QString &path,
                                     const QString &key, bool required);

    QString m_errorCode;
    std::optional<Error> m_error;
};

// "2026-11-30T14:03:12.123Z": millisecond precision, always UTC.
[[nodiscard]] QString formatTimestamp(const QDateTime &utc);
[[nodiscard]] std::optional<QDateTime> parseTimestamp(const QString &text);

} // namespace countersign::json
