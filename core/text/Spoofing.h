// Look-alike and mixed-script identifiers (recipient domains, account names), checked with
// ICU's implementation of Unicode TS #39 (uspoof): an identifier that mixes scripts beyond what
// one writing system uses ("pаypal" with a Cyrillic "а"), that mixes digit sets, or that a
// reviewer would read as a trusted name ("examp1e.com" for "example.com") is marked. Legitimate
// single-script text in any script, right-to-left included, passes.
#pragma once

#include <QString>
#include <QStringList>

namespace countersign {

struct IdentifierCheck
{
    bool mixedScript = false;  // fails UTS #39 "moderately restrictive"
    bool mixedNumbers = false; // digits from more than one numbering system
    QStringList scripts;       // the scripts of its letters, e.g. {"Latin", "Cyrillic"}

    [[nodiscard]] bool suspicious() const { return mixedScript || mixedNumbers; }
};

// Error-free by design: text ICU cannot check (too long, unpaired surrogates) is reported as
// mixed-script, so it is marked rather than trusted.
[[nodiscard]] IdentifierCheck checkIdentifier(const QString &text);

struct DomainCheck
{
    QString shown;            // the domain as a reader sees it (punycode labels decoded)
    bool punycode = false;    // some label was "xn--…"
    IdentifierCheck identifier;
    QString looksLike;        // a trusted domain it is confusable with but not equal to, or empty

    [[nodiscard]] bool suspicious() const { return punycode || identifier.suspicious() || !looksLike.isEmpty(); }
    // One sentence for the reviewer; empty when nothing is suspicious.
    [[nodiscard]] QString warning() const;
};

// Checks a domain (or the part of an e-mail address after the last '@') against the rules
// above and against trusted domains (e.g. the requesting user's own domain): a domain whose
// UTS #39 skeleton equals a trusted one's while the text differs is a look-alike.
[[nodiscard]] DomainCheck checkDomain(const QString &domainOrAddress, const QStringList &trusted = {});

// One sentence for a reviewer when a name (an account, a beneficiary, a display name) mixes
// scripts or digit sets, e.g. "Look-alike name: "pаypal" mixes scripts (Latin + Cyrillic).";
// empty when it does not. The name is quoted as given: pass the sentence through displayText().
[[nodiscard]] QString nameWarning(const QString &name);

// True when a and b are different texts that UTS #39 says look alike.
[[nodiscard]] bool confusable(const QString &a, const QString &b);

} // namespace countersign
