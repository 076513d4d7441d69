// How the console reads the common shapes in agent-sent parameters — mail addresses and whose
// domain they are in, amounts and IBANs — shared by the headline (ActionSummary) and the effect
// preview (EffectPreview), so the two never disagree about who is outside or how much is paid.
// Nothing here escapes text for display: callers pass what they show through displayText().
#pragma once

#include <initializer_list>
#include <optional>

#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

class QLocale;

namespace countersign {

// The first of the dotted paths that holds a value other than null, else undefined.
[[nodiscard]] QJsonValue firstOf(const QJsonObject &parameters, std::initializer_list<const char *> paths);

// A number, or a string holding one ("950.5").
[[nodiscard]] std::optional<double> numberOf(const QJsonValue &value);

// The decimal text of an amount exactly as sent: a JSON number in its shortest round-trip form
// ("12400.5"), or a string that is a plain decimal ("0.10", "-3"). Empty when it is neither (a
// word, an exponent, NaN, an object).
[[nodiscard]] QString decimalTextOf(const QJsonValue &value);

// An exact decimal text ("12400.5") grouped and pointed for the locale with at least
// minFractionDigits digits after the point ("12,400.50"). No digit is dropped or rounded: a
// value sent with more fraction digits keeps them all. The C locale reads as US English.
[[nodiscard]] QString formatDecimal(const QString &decimal, const QLocale &locale, int minFractionDigits = 2);

// The digits after the point an amount in this ISO 4217 currency is normally written with.
[[nodiscard]] int currencyMinorDigits(const QString &currency);

// "DE89370400440532013000" (spaces allowed) in the IBAN shape.
[[nodiscard]] bool looksLikeIban(const QString &text);
// "DE89370400440532013000" -> "DE89 3704 0044 0532 0130 00", as printed on statements.
[[nodiscard]] QString groupIban(const QString &iban);

// One address: a string, or an object with "address" or "email".
[[nodiscard]] QString mailAddressOf(const QJsonValue &value);
// The addresses of a to/cc/bcc field: a string (comma-separated), an array of strings or of
// {address} objects, or one such object. Empty entries are skipped.
[[nodiscard]] QStringList mailAddressesOf(const QJsonValue &value);
// The domain of "bob@example.com" or "Bob <bob@example.com>", lower-cased; empty without '@'.
[[nodiscard]] QString mailDomainOf(const QString &address);
// True when domain is home or a subdomain of it ("eu.example.com" is inside "example.com").
[[nodiscard]] bool isInsideDomain(const QString &domain, const QString &home);
// Whose mail this is: the domain of "from", else that of the requesting user's id.
[[nodiscard]] QString homeMailDomain(const QJsonObject &parameters, const QString &userId);

} // namespace countersign
