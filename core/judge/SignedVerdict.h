// A Judge's verdict as a model-to-model statement (IAM-01): the Judge signs it with its
// enrolled Ed25519 key, bound to one tool call and one gateway, so the gateway can tell a
// verdict the Judge gave from one the submitting agent wrote itself.
//
//   {"typ":"countersign-verdict+v1","iss":<judge id>,"aud":<gateway id>,
//    "call":<callDigest() of the tool call>,"verdict":"pass"|"flag","category","score",
//    "rationale","iat","exp"}
//
// Signed as a statement (core/crypto/SignedStatement); exp - iat at most kMaxVerdictSeconds.
#pragma once

#include "core/Result.h"
#include "core/action/Action.h"
#include "core/crypto/Ed25519.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace countersign {
class Policy;
}

namespace countersign::judge {

inline constexpr char kVerdictType[] = "countersign-verdict+v1";
inline constexpr qsizetype kMaxVerdictTokenBytes = qsizetype{8} * 1024;
inline constexpr qint64 kMaxVerdictSeconds = 3600;

// Lowercase hex SHA-256 of the RFC 8785 form of {"tool","operation","parameters"}: the call
// exactly as the agent submits it, before the gateway redacts anything.
[[nodiscard]] QByteArray callDigest(const QString &tool, const QString &operation, const QJsonObject &parameters);

struct VerdictStatement
{
    JudgeVerdict verdict; // judgeId is the issuer
    QString gatewayId;
    QByteArray callDigest;
    QDateTime issuedAt;
    QDateTime expiresAt;
};

[[nodiscard]] QByteArray signVerdict(const VerdictStatement &statement, const crypto::Ed25519PrivateKey &judgeKey);

// Checks a signed verdict for the call with digest call at now: signed by an active Judge
// enrolled in policy, its iss that Judge, its aud gatewayId, its call this one, within its
// lifetime. The verdict returned has verified = true. Error code "judge.invalid_verdict"; the
// message names the check that failed.
[[nodiscard]] Result<JudgeVerdict> verifyVerdict(QByteArrayView token, const Policy &policy, const QString &gatewayId,
                                                 const QByteArray &call, const QDateTime &now);

} // namespace countersign::judge
