// Files in the gateway's data directory that hold a secret in the clear (the TLS key, the
// action-signing key): written owner-only, and refused when other users can read them.
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QFileDevice>
#include <QString>

namespace countersign::gateway {

// Error code errorCode unless path is accessible to its owner only (group and other have no
// permission at all). On platforms without POSIX permissions it always succeeds. hint is
// appended to the message: what the administrator can do instead of chmod 600.
[[nodiscard]] Status checkOwnerOnly(const QString &path, const QString &errorCode, const QString &hint);

// Writes data to path atomically with the given permissions, narrowed before the first byte is
// written. Error code errorCode.
[[nodiscard]] Status writeFileAtomically(const QString &path, const QByteArray &data,
                                         QFileDevice::Permissions permissions, const QString &errorCode);

} // namespace countersign::gateway
