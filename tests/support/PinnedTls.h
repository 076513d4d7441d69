// Certificate pinning for test clients: the gateway's certificate is self-signed, so it is
// accepted only if the SHA-256 of its DER form equals the fingerprint the gateway announced.
#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslError>

namespace countersign::testsupport {

[[nodiscard]] QByteArray certificateFingerprint(const QSslCertificate &certificate);

// True if the errors concern only the pinned certificate (self-signed, host name) and the
// certificate is the pinned one: only then may they be ignored.
[[nodiscard]] bool errorsAllowedByPin(const QList<QSslError> &errors, const QSslCertificate &peer,
                                      const QByteArray &pinnedFingerprint);

} // namespace countersign::testsupport
