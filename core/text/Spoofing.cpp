// UTS #39 checks through ICU's uspoof.
#include "core/text/Spoofing.h"

#include <memory>

#include <QUrl>

#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/utf16.h>

namespace countersign {

namespace {

// Identifiers longer than this are not checked character by character: they are marked.
constexpr qsizetype kMaxIdentifierChars = 1024;

struct SpoofDeleter
{
    void operator()(USpoofChecker *checker) const { uspoof_close(checker); }
};
struct ResultDeleter
{
    void operator()(USpoofCheckResult *result) const { uspoof_closeCheckResult(result); }
};

// One checker, configured once; ICU allows concurrent checks on a configured checker.
const USpoofChecker *checker()
{
    static const std::unique_ptr<USpoofChecker, SpoofDeleter> instance = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<USpoofChecker, SpoofDeleter> sc(uspoof_open(&status));
        uspoof_setChecks(sc.get(), USPOOF_RESTRICTION_LEVEL | USPOOF_MIXED_NUMBERS | USPOOF_CONFUSABLE, &status);
        uspoof_setRestrictionLevel(sc.get(), USPOOF_MODERATELY_RESTRICTIVE);
        Q_ASSERT_X(U_SUCCESS(status), "spoofing", u_errorName(status));
        return sc;
    }();
    return instance.get();
}

const UChar *utf16(const QString &text)
{
    return reinterpret_cast<const UChar *>(text.utf16());
}

QStringList scriptsOf(const QString &text)
{
    QStringList names;
    const auto *data = utf16(text);
    const int32_t length = static_cast<int32_t>(text.size());
    for (int32_t i = 0; i < length;) {
        UChar32 c = 0;
        U16_NEXT(data, i, length, c);
        UErrorCode status = U_ZERO_ERROR;
        const UScriptCode script = uscript_getScript(c, &status);
        if (U_FAILURE(status) || script == USCRIPT_COMMON || script == USCRIPT_INHERITED || script == USCRIPT_UNKNOWN)
            continue;
        const QString name = QString::fromLatin1(uscript_getName(script));
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

QString skeleton(const QString &text)
{
    UErrorCode status = U_ZERO_ERROR;
    const int32_t length = uspoof_getSkeleton(checker(), 0, utf16(text), static_cast<int32_t>(text.size()), nullptr, 0, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status))
        return {};
    QString out(length, Qt::Uninitialized);
    status = U_ZERO_ERROR;
    uspoof_getSkeleton(checker(), 0, utf16(text), static_cast<int32_t>(text.size()), reinterpret_cast<UChar *>(out.data()),
                       length, &status);
    return U_SUCCESS(status) ? out : QString();
}

} // namespace

IdentifierCheck checkIdentifier(const QString &text)
{
    IdentifierCheck check;
    check.scripts = scriptsOf(text.left(kMaxIdentifierChars));
    if (text.size() > kMaxIdentifierChars) {
        check.mixedScript = true;
        return check;
    }
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<USpoofCheckResult, ResultDeleter> result(uspoof_openCheckResult(&status));
    const int32_t failed = uspoof_check2(checker(), utf16(text), static_cast<int32_t>(text.size()), result.get(), &status);
    if (U_FAILURE(status)) {
        check.mixedScript = true; // what cannot be checked is marked, never trusted
        return check;
    }
    check.mixedScript = (failed & USPOOF_RESTRICTION_LEVEL) != 0;
    check.mixedNumbers = (failed & USPOOF_MIXED_NUMBERS) != 0;
    return check;
}

bool confusable(const QString &a, const QString &b)
{
    if (a == b || a.size() > kMaxIdentifierChars || b.size() > kMaxIdentifierChars)
        return false;
    const QString left = skeleton(a);
    return !left.isEmpty() && left == skeleton(b);
}

DomainCheck checkDomain(const QString &domainOrAddress, const QStringList &trusted)
{
    DomainCheck check;
    QString domain = domainOrAddress.mid(domainOrAddress.lastIndexOf(QLatin1Char('@')) + 1).trimmed();
    while (domain.endsWith(QLatin1Char('.')))
        domain.chop(1);
    const QStringList labels = domain.split(QLatin1Char('.'));
    QStringList shownLabels;
    for (const QString &label : labels) {
        if (label.startsWith(QLatin1String("xn--"), Qt::CaseInsensitive)) {
            check.punycode = true;
            const QString decoded = QUrl::fromAce(label.toLatin1());
            shownLabels.append(decoded.isEmpty() ? label : decoded);
        } else {
            shownLabels.append(label);
        }
    }
    check.shown = shownLabels.join(QLatin1Char('.'));
    // Each label on its own: "bank.例え.jp" mixes scripts across labels legitimately.
    for (const QString &label : std::as_const(shownLabels)) {
        const IdentifierCheck one = checkIdentifier(label);
        check.identifier.mixedScript = check.identifier.mixedScript || one.mixedScript;
        check.identifier.mixedNumbers = check.identifier.mixedNumbers || one.mixedNumbers;
        for (const QString &script : one.scripts) {
            if (!check.identifier.scripts.contains(script))
                check.identifier.scripts.append(script);
        }
    }
    const QString lower = check.shown.toLower();
    for (const QString &candidate : trusted) {
        if (lower != candidate.toLower() && confusable(lower, candidate.toLower())) {
            check.looksLike = candidate;
            break;
        }
    }
    return check;
}

QString nameWarning(const QString &name)
{
    const IdentifierCheck check = checkIdentifier(name);
    QStringList parts;
    if (check.mixedScript)
        parts.append(QStringLiteral("mixes scripts (%1)").arg(check.scripts.join(QStringLiteral(" + "))));
    if (check.mixedNumbers)
        parts.append(QStringLiteral("mixes digit sets"));
    return parts.isEmpty() ? QString()
                           : QStringLiteral("Look-alike name: \u201C%1\u201D %2.").arg(name, parts.join(QStringLiteral("; ")));
}

QString DomainCheck::warning() const
{
    QStringList parts;
    if (!looksLike.isEmpty())
        parts.append(QStringLiteral("looks like %1 but is not").arg(looksLike));
    if (identifier.mixedScript)
        parts.append(QStringLiteral("mixes scripts (%1)").arg(identifier.scripts.join(QStringLiteral(" + "))));
    if (identifier.mixedNumbers)
        parts.append(QStringLiteral("mixes digit sets"));
    if (punycode)
        parts.append(QStringLiteral("is an internationalised name written as xn--"));
    return parts.isEmpty() ? QString() : QStringLiteral("Look-alike domain: %1 %2.").arg(shown, parts.join(QStringLiteral("; ")));
}

} // namespace countersign
