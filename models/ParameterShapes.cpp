// Reading common parameter shapes: addresses and domains, amounts, IBANs.
#include "models/ParameterShapes.h"

#include "core/action/Action.h"
#include "core/json/Json.h"

#include <QJsonArray>
#include <QLocale>
#include <QRegularExpression>

namespace countersign {

namespace {

const QRegularExpression &plainDecimal()
{
    // No exponent, no grouping, no locale: the digits as the agent wrote them.
    static const QRegularExpression re(QStringLiteral("^([-+]?)([0-9]+)(?:\\.([0-9]+))?$"));
    return re;
}

// ASCII digits in the locale's own digits (most locales: unchanged).
QString localDigits(const QString &ascii, const QLocale &locale)
{
    const QString zero = locale.zeroDigit();
    if (zero == QLatin1String("0") || zero.size() != 1)
        return ascii;
    QString out;
    out.reserve(ascii.size());
    for (const QChar c : ascii)
        out += c.isDigit() ? QChar(zero.at(0).unicode() + (c.unicode() - u'0')) : c;
    return out;
}

} // namespace

QJsonValue firstOf(const QJsonObject &parameters, std::initializer_list<const char *> paths)
{
    for (const char *path : paths) {
        QJsonValue value = valueAtPath(parameters, QString::fromLatin1(path));
        if (!value.isUndefined() && !value.isNull())
            return value;
    }
    return QJsonValue(QJsonValue::Undefined);
}

std::optional<double> numberOf(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isString()) {
        bool ok = false;
        const double number = value.toString().trimmed().toDouble(&ok);
        if (ok)
            return number;
    }
    return std::nullopt;
}

QString decimalTextOf(const QJsonValue &value)
{
    QString text;
    if (value.isDouble())
        text = QString::fromLatin1(json::formatNumber(value.toDouble()));
    else if (value.isString())
        text = value.toString().trimmed();
    else
        return {};
    return plainDecimal().match(text).hasMatch() ? text : QString();
}

QString formatDecimal(const QString &decimal, const QLocale &given, int minFractionDigits)
{
    const QRegularExpressionMatch match = plainDecimal().match(decimal);
    if (!match.hasMatch())
        return {};
    const QLocale locale = given.language() == QLocale::C ? QLocale(QLocale::English, QLocale::UnitedStates) : given;
    const bool negative = match.captured(1) == QLatin1String("-");
    QString integer = match.captured(2);
    QString fraction = match.captured(3);
    while (fraction.size() < minFractionDigits)
        fraction += QLatin1Char('0');

    // Grouping by the locale's rules where the integer part fits; otherwise the digits as sent.
    bool fits = false;
    const qulonglong whole = integer.size() <= 18 ? integer.toULongLong(&fits) : 0;
    QString text = fits ? locale.toString(whole) : localDigits(integer, locale);
    if (!fraction.isEmpty())
        text += locale.decimalPoint() + localDigits(fraction, locale);
    if (negative)
        text.prepend(locale.negativeSign());
    return text;
}

int currencyMinorDigits(const QString &currency)
{
    static const QStringList none{QStringLiteral("BIF"), QStringLiteral("CLP"), QStringLiteral("DJF"),
        QStringLiteral("GNF"), QStringLiteral("ISK"), QStringLiteral("JPY"), QStringLiteral("KMF"),
        QStringLiteral("KRW"), QStringLiteral("PYG"), QStringLiteral("RWF"), QStringLiteral("UGX"),
        QStringLiteral("VND"), QStringLiteral("VUV"), QStringLiteral("XAF"), QStringLiteral("XOF"),
        QStringLiteral("XPF")};
    static const QStringList three{QStringLiteral("BHD"), QStringLiteral("IQD"), QStringLiteral("JOD"),
        QStringLiteral("KWD"), QStringLiteral("LYD"), QStringLiteral("OMR"), QStringLiteral("TND")};
    const QString code = currency.trimmed().toUpper();
    if (none.contains(code))
        return 0;
    if (three.contains(code))
        return 3;
    return 2;
}

bool looksLikeIban(const QString &text)
{
    static const QRegularExpression iban(QStringLiteral("^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"));
    return iban.match(QString(text).remove(QLatin1Char(' '))).hasMatch();
}

QString groupIban(const QString &iban)
{
    const QString compact = QString(iban).remove(QLatin1Char(' '));
    QString grouped;
    for (qsizetype i = 0; i < compact.size(); i += 4) {
        if (!grouped.isEmpty())
            grouped += QLatin1Char(' ');
        grouped += compact.mid(i, 4);
    }
    return grouped;
}

QString mailAddressOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().trimmed();
    const QJsonObject object = value.toObject();
    for (const char *key : {"address", "email"}) {
        QString address = object.value(QLatin1String(key)).toString().trimmed();
        if (!address.isEmpty())
            return address;
    }
    return {};
}

QStringList mailAddressesOf(const QJsonValue &value)
{
    QStringList addresses;
    if (value.isString()) {
        const QStringList parts = value.toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &part : parts) {
            if (!part.trimmed().isEmpty())
                addresses.append(part.trimmed());
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const auto &element : array) {
            const QString address = mailAddressOf(element);
            if (!address.isEmpty())
                addresses.append(address);
        }
    } else if (value.isObject()) {
        const QString address = mailAddressOf(value);
        if (!address.isEmpty())
            addresses.append(address);
    }
    return addresses;
}

QString mailDomainOf(const QString &address)
{
    QString bare = address;
    const qsizetype open = bare.lastIndexOf(QLatin1Char('<'));
    if (open >= 0)
        bare = bare.mid(open + 1).section(QLatin1Char('>'), 0, 0);
    const qsizetype at = bare.lastIndexOf(QLatin1Char('@'));
    if (at < 0)
        return {};
    return bare.mid(at + 1).trimmed().toLower();
}

bool isInsideDomain(const QString &domain, const QString &home)
{
    return !home.isEmpty() && (domain == home || domain.endsWith(QLatin1Char('.') + home));
}

QString homeMailDomain(const QJsonObject &parameters, const QString &userId)
{
    const QString home = mailDomainOf(mailAddressOf(parameters.value(QStringLiteral("from"))));
    return home.isEmpty() ? mailDomainOf(userId) : home;
}

} // namespace countersign
