// JSON form of the protocol v1 frames and their strict parsers.
#include "core/protocol/Protocol.h"

#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/Jws.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"

#include <QJsonArray>

namespace countersign::protocol {

namespace {

using json::FieldReader;

const QString kType = QStringLiteral("type");

template<class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};

QJsonObject toObject(const Challenge &f)
{
    return {{kType, QStringLiteral("challenge")},
            {QStringLiteral("gatewayId"), f.gatewayId},
            {QStringLiteral("nonce"), f.nonce},
            {QStringLiteral("serverTime"), json::formatTimestamp(f.serverTime)},
            {QStringLiteral("channelBinding"), f.channelBinding}};
}

QJsonObject toObject(const Hello &f)
{
    return {{kType, QStringLiteral("hello")},
            {QStringLiteral("gatewayId"), f.gatewayId},
            {QStringLiteral("serverTime"), json::formatTimestamp(f.serverTime)},
            {QStringLiteral("protocol"), f.protocolVersion},
            {QStringLiteral("reviewer"), f.reviewer},
            {QStringLiteral("role"), roleName(f.role)},
            {QStringLiteral("head"), f.head},
            {QStringLiteral("signingKey"), QString::fromLatin1(f.signingKey)},
            {QStringLiteral("sessionId"), f.sessionId},
            {QStringLiteral("sessionExpiresAt"), json::formatTimestamp(f.sessionExpiresAt)},
            {QStringLiteral("sessionIdleSeconds"), f.sessionIdleSeconds}};
}

QJsonObject toObject(const ActionPending &f)
{
    return {{kType, QStringLiteral("action.pending")},
            {QStringLiteral("seq"), f.seq},
            {QStringLiteral("action"), f.actionJson.isEmpty() ? f.action.toJson() : f.actionJson},
            {QStringLiteral("digest"), QString::fromLatin1(f.digest)},
            {QStringLiteral("approvals"), f.approvals},
            {QStringLiteral("signature"), QString::fromLatin1(f.signature)}};
}

QJsonObject toObject(const ActionUpdated &f)
{
    return {{kType, QStringLiteral("action.updated")},
            {QStringLiteral("seq"), f.seq},
            {QStringLiteral("actionId"), f.actionId},
            {QStringLiteral("approvals"), f.approvals},
            {QStringLiteral("approvedBy"), QJsonArray::fromStringList(f.approvedBy)}};
}

QJsonObject toObject(const ActionResolved &f)
{
    return {{kType, QStringLiteral("action.resolved")},
            {QStringLiteral("seq"), f.seq},
            {QStringLiteral("actionId"), f.actionId},
            {QStringLiteral("outcome"), outcomeName(f.outcome)},
            {QStringLiteral("reason"), f.reason},
            {QStringLiteral("decidedBy"), f.decidedBy},
            {QStringLiteral("resolvedAt"), json::formatTimestamp(f.resolvedAt)}};
}

QJsonObject toObject(const ActionEscalated &f)
{
    return {{kType, QStringLiteral("action.escalated")},
            {QStringLiteral("seq"), f.seq},
            {QStringLiteral("actionId"), f.actionId},
            {QStringLiteral("group"), f.group},
            {QStringLiteral("at"), json::formatTimestamp(f.at)}};
}

QJsonObject toObject(const Subscribed &f)
{
    return {{kType, QStringLiteral("subscribed")},
            {QStringLiteral("since"), f.since},
            {QStringLiteral("head"), f.head},
            {QStringLiteral("mode"), f.snapshot ? QStringLiteral("snapshot") : QStringLiteral("replay")}};
}

QJsonObject toObject(const DecisionResult &f)
{
    return {{kType, QStringLiteral("decision.result")},
            {QStringLiteral("requestId"), f.requestId},
            {QStringLiteral("actionId"), f.actionId},
            {QStringLiteral("status"), f.accepted ? QStringLiteral("accepted") : QStringLiteral("refused")},
            {QStringLiteral("code"), f.code},
            {QStringLiteral("message"), f.message},
            {QStringLiteral("at"), json::formatTimestamp(f.at)}};
}

QJsonObject toObject(const ErrorFrame &f)
{
    QJsonObject o{{kType, QStringLiteral("error")},
                  {QStringLiteral("code"), f.code},
                  {QStringLiteral("message"), f.message}};
    if (!f.requestId.isEmpty())
        o.insert(QStringLiteral("requestId"), f.requestId);
    return o;
}

QJsonObject toObject(const Pong &f)
{
    return {{kType, QStringLiteral("pong")},
            {QStringLiteral("nonce"), f.nonce},
            {QStringLiteral("serverTime"), json::formatTimestamp(f.serverTime)}};
}

QJsonObject toObject(const AuditCheckpoint &f)
{
    return {{kType, QStringLiteral("audit.checkpoint")}, {QStringLiteral("note"), QString::fromUtf8(f.note)}};
}

QJsonObject toObject(const ConsistencyProof &f)
{
    QJsonArray hashes;
    for (const QByteArray &hash : f.proof)
        hashes.append(QString::fromLatin1(hash.toBase64()));
    return {{kType, QStringLiteral("audit.consistency")},
            {QStringLiteral("requestId"), f.requestId},
            {QStringLiteral("first"), f.first},
            {QStringLiteral("second"), f.second},
            {QStringLiteral("proof"), hashes}};
}

QJsonObject toObject(const ProveConsistency &f)
{
    return {{kType, QStringLiteral("audit.prove")},
            {QStringLiteral("requestId"), f.requestId},
            {QStringLiteral("first"), f.first},
            {QStringLiteral("second"), f.second}};
}

QJsonObject toObject(const Subscribe &f)
{
    return {{kType, QStringLiteral("subscribe")}, {QStringLiteral("since"), f.since}};
}

QJsonObject toObject(const SignIn &f)
{
    return {{kType, QStringLiteral("signin")}, {QStringLiteral("token"), QString::fromLatin1(f.token)}};
}

QJsonObject toObject(const Decision &f)
{
    return {{kType, QStringLiteral("decision")},
            {QStringLiteral("requestId"), f.requestId},
            {QStringLiteral("actionId"), f.actionId},
            {QStringLiteral("token"), QString::fromLatin1(f.token)}};
}

QJsonObject toObject(const Ping &f)
{
    return {{kType, QStringLiteral("ping")}, {QStringLiteral("nonce"), f.nonce}};
}

// Parses the text into an object with a "type" member, checking the size limit first.
Result<QJsonObject> frameObject(QByteArrayView text, qsizetype maxBytes)
{
    if (text.size() > maxBytes) {
        return makeError(QStringLiteral("frame.too_large"),
                         QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes")
                             .arg(text.size())
                             .arg(maxBytes));
    }
    json::Limits limits;
    limits.maxBytes = maxBytes;
    limits.maxDepth = 40; // the action's own nesting plus the frame's
    auto parsed = json::parse(text, limits);
    if (!parsed)
        return parsed.error();
    if (!parsed.value().isObject())
        return makeError(QStringLiteral("frame.invalid"), QStringLiteral("a frame must be a JSON object"));
    return parsed.value().toObject();
}

qint64 readSeq(FieldReader &reader, const QJsonObject &o, const QString &key)
{
    // Exactly representable in a double: 2^53.
    return reader.integer(o, {}, key, 0, (qint64(1) << 53));
}

// The signed statement is under 300 bytes; its JWS well under 1 KiB.
constexpr qsizetype kMaxActionSignatureBytes = 1024;

bool isHexDigest(const QString &text)
{
    if (text.size() != 64)
        return false;
    for (QChar c : text) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

Result<ServerFrame> parseActionPending(const QJsonObject &o)
{
    FieldReader reader(QStringLiteral("frame.invalid"));
    reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("seq"), QStringLiteral("action"),
                                    QStringLiteral("digest"), QStringLiteral("approvals"),
                                    QStringLiteral("signature")});
    if (!reader.failed() && !o.contains(QStringLiteral("signature"))) {
        return makeError(QStringLiteral("action.unsigned"),
                         QStringLiteral("action.pending without a gateway signature"));
    }
    ActionPending f;
    f.seq = readSeq(reader, o, QStringLiteral("seq"));
    f.actionJson = reader.object(o, {}, QStringLiteral("action"));
    const QString digest = reader.string(o, {}, QStringLiteral("digest"), 64);
    if (!reader.failed() && !isHexDigest(digest))
        reader.fail(QStringLiteral("digest"), QStringLiteral("must be 64 lowercase hex digits"));
    f.approvals = static_cast<int>(reader.integer(o, {}, QStringLiteral("approvals"), 0, ActionLimits::maxApprovals));
    f.signature = reader.string(o, {}, QStringLiteral("signature"), kMaxActionSignatureBytes).toLatin1();
    if (reader.failed())
        return reader.error();
    auto action = Action::fromJson(f.actionJson);
    if (!action)
        return action.error();
    f.action = std::move(action).value();
    f.digest = digest.toLatin1();
    // The digest is recomputed over exactly what arrived: a frame whose digest does not match
    // its action must never be shown as decidable.
    const QByteArray computed = crypto::sha256Hex(json::canonicalize(f.actionJson));
    if (computed != f.digest) {
        return makeError(QStringLiteral("frame.digest_mismatch"),
                         QStringLiteral("action %1: digest %2 does not match the action's content (%3)")
                             .arg(f.action.id, QString::fromLatin1(f.digest), QString::fromLatin1(computed)));
    }
    return ServerFrame{std::move(f)};
}

} // namespace

QString outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Approved: return QStringLiteral("approved");
    case Outcome::Denied: return QStringLiteral("denied");
    case Outcome::Expired: return QStringLiteral("expired");
    case Outcome::Withdrawn: return QStringLiteral("withdrawn");
    }
    return {};
}

std::optional<Outcome> outcomeFromName(const QString &name)
{
    for (Outcome o : {Outcome::Approved, Outcome::Denied, Outcome::Expired, Outcome::Withdrawn}) {
        if (outcomeName(o) == name)
            return o;
    }
    return std::nullopt;
}

QString verdictName(Verdict verdict)
{
    return verdict == Verdict::Approve ? QStringLiteral("approve") : QStringLiteral("deny");
}

QString roleName(Role role)
{
    switch (role) {
    case Role::Reviewer: return QStringLiteral("reviewer");
    case Role::Analyst: return QStringLiteral("analyst");
    case Role::Admin: return QStringLiteral("admin");
    }
    return {};
}

std::optional<Role> roleFromName(const QString &name)
{
    for (Role r : {Role::Reviewer, Role::Analyst, Role::Admin}) {
        if (roleName(r) == name)
            return r;
    }
    return std::nullopt;
}

QByteArray actionSignaturePayload(const QString &actionId, const QByteArray &digest, const QString &gatewayId)
{
    return json::canonicalize(QJsonObject{{QStringLiteral("actionDigest"), QString::fromLatin1(digest)},
                                          {QStringLiteral("actionId"), actionId},
                                          {QStringLiteral("gatewayId"), gatewayId}});
}

QByteArray signAction(const QString &actionId, const QByteArray &digest, const QString &gatewayId,
                      const crypto::Ed25519PrivateKey &key)
{
    const QJsonObject header{{QStringLiteral("kid"), QString::fromLatin1(crypto::jwkThumbprint(key.publicKey()))}};
    return crypto::signCompact(header, actionSignaturePayload(actionId, digest, gatewayId), key);
}

Status verifyActionSignature(const ActionPending &frame, const crypto::Ed25519PublicKey &key)
{
    const QString id = frame.action.id.left(128);
    const auto bad = [&](const QString &code, const QString &what) {
        return makeError(code, QStringLiteral("action %1: %2").arg(id, what));
    };
    if (frame.signature.isEmpty())
        return bad(QStringLiteral("action.unsigned"), QStringLiteral("the gateway did not sign it"));
    auto jws = crypto::parseCompact(frame.signature, kMaxActionSignatureBytes);
    if (!jws) {
        return bad(QStringLiteral("action.bad_signature"),
                   QStringLiteral("the signature is not a valid JWS (%1)").arg(jws.error().toString()));
    }
    const QByteArray pinned = crypto::jwkThumbprint(key);
    const QJsonValue kid = jws.value().header().value(QStringLiteral("kid"));
    if (!kid.isString() || kid.toString().toLatin1() != pinned) {
        return bad(QStringLiteral("action.wrong_key"),
                   QStringLiteral("signed by key %1, but the pinned gateway key is %2")
                       .arg(kid.isString() ? kid.toString().left(64) : QStringLiteral("(no kid)"),
                            QString::fromLatin1(pinned)));
    }
    if (Status verified = crypto::verify(jws.value(), key); !verified) {
        return bad(QStringLiteral("action.bad_signature"),
                   QStringLiteral("the signature does not verify under the pinned gateway key"));
    }
    const QByteArray expected = actionSignaturePayload(frame.action.id, frame.digest, frame.action.gatewayId);
    if (jws.value().payload() != expected) {
        // Name what differs, for the person reading the alarm.
        QString what = QStringLiteral("the signed statement is not the canonical statement for this action");
        auto payload = json::parse(jws.value().payload());
        if (payload && payload.value().isObject()) {
            const QJsonObject signedObject = payload.value().toObject();
            if (signedObject.value(QStringLiteral("actionId")).toString() != frame.action.id)
                what = QStringLiteral("the signature is for another action id");
            else if (signedObject.value(QStringLiteral("actionDigest")).toString().toLatin1() != frame.digest)
                what = QStringLiteral("the signature is for another digest (the action was changed)");
            else if (signedObject.value(QStringLiteral("gatewayId")).toString() != frame.action.gatewayId)
                what = QStringLiteral("the signature is for another gateway id");
        }
        return bad(QStringLiteral("action.bad_signature"), what);
    }
    return {};
}

QByteArray serialize(const ServerFrame &frame)
{
    return json::canonicalize(std::visit([](const auto &f) { return toObject(f); }, frame));
}

QByteArray serialize(const ClientFrame &frame)
{
    return json::canonicalize(std::visit([](const auto &f) { return toObject(f); }, frame));
}

Result<ServerFrame> parseServerFrame(QByteArrayView text)
{
    auto parsed = frameObject(text, kMaxServerFrameBytes);
    if (!parsed)
        return parsed.error();
    const QJsonObject &o = parsed.value();
    FieldReader reader(QStringLiteral("frame.invalid"));
    const QString type = reader.string(o, {}, kType, 32);
    if (reader.failed())
        return reader.error();

    if (type == QLatin1String("action.pending"))
        return parseActionPending(o);

    if (type == QLatin1String("challenge")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("gatewayId"), QStringLiteral("nonce"),
                                        QStringLiteral("serverTime"), QStringLiteral("channelBinding")});
        Challenge f;
        f.gatewayId = reader.identifier(o, {}, QStringLiteral("gatewayId"));
        f.nonce = reader.string(o, {}, QStringLiteral("nonce"), 64);
        f.serverTime = reader.timestamp(o, {}, QStringLiteral("serverTime"));
        f.channelBinding = reader.string(o, {}, QStringLiteral("channelBinding"), 32);
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("hello")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("gatewayId"), QStringLiteral("serverTime"),
                                        QStringLiteral("protocol"), QStringLiteral("reviewer"),
                                        QStringLiteral("role"), QStringLiteral("head"),
                                        QStringLiteral("signingKey"), QStringLiteral("sessionId"),
                                        QStringLiteral("sessionExpiresAt"), QStringLiteral("sessionIdleSeconds")});
        Hello f;
        f.gatewayId = reader.identifier(o, {}, QStringLiteral("gatewayId"));
        f.serverTime = reader.timestamp(o, {}, QStringLiteral("serverTime"));
        f.protocolVersion = static_cast<int>(reader.integer(o, {}, QStringLiteral("protocol"), 1, 1000));
        f.reviewer = reader.identifier(o, {}, QStringLiteral("reviewer"));
        const auto role = roleFromName(reader.string(o, {}, QStringLiteral("role"), 16));
        if (!reader.failed() && !role)
            reader.fail(QStringLiteral("role"), QStringLiteral("unknown role"));
        f.role = role.value_or(Role::Reviewer);
        f.head = readSeq(reader, o, QStringLiteral("head"));
        f.signingKey = reader.string(o, {}, QStringLiteral("signingKey"), 64).toLatin1();
        f.sessionId = reader.identifier(o, {}, QStringLiteral("sessionId"));
        f.sessionExpiresAt = reader.timestamp(o, {}, QStringLiteral("sessionExpiresAt"));
        f.sessionIdleSeconds = static_cast<int>(reader.integer(o, {}, QStringLiteral("sessionIdleSeconds"), 1, 7 * 24 * 3600));
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("action.updated")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("seq"), QStringLiteral("actionId"),
                                        QStringLiteral("approvals"), QStringLiteral("approvedBy")});
        ActionUpdated f;
        f.seq = readSeq(reader, o, QStringLiteral("seq"));
        f.actionId = reader.identifier(o, {}, QStringLiteral("actionId"), ActionLimits::maxIdBytes);
        f.approvals = static_cast<int>(reader.integer(o, {}, QStringLiteral("approvals"), 0, ActionLimits::maxApprovals));
        const QJsonArray by = reader.array(o, {}, QStringLiteral("approvedBy"), ActionLimits::maxApprovals);
        for (qsizetype i = 0; !reader.failed() && i < by.size(); ++i) {
            if (!by.at(i).isString())
                reader.fail(FieldReader::index(QStringLiteral("approvedBy"), i), QStringLiteral("must be a string"));
            else
                f.approvedBy.append(by.at(i).toString().left(256));
        }
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("action.resolved")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("seq"), QStringLiteral("actionId"),
                                        QStringLiteral("outcome"), QStringLiteral("reason"),
                                        QStringLiteral("decidedBy"), QStringLiteral("resolvedAt")});
        ActionResolved f;
        f.seq = readSeq(reader, o, QStringLiteral("seq"));
        f.actionId = reader.identifier(o, {}, QStringLiteral("actionId"), ActionLimits::maxIdBytes);
        const auto outcome = outcomeFromName(reader.string(o, {}, QStringLiteral("outcome"), 16));
        if (!reader.failed() && !outcome)
            reader.fail(QStringLiteral("outcome"), QStringLiteral("unknown outcome"));
        f.outcome = outcome.value_or(Outcome::Denied);
        f.reason = reader.string(o, {}, QStringLiteral("reason"), kMaxReasonBytes, true);
        f.decidedBy = reader.string(o, {}, QStringLiteral("decidedBy"), 1024);
        f.resolvedAt = reader.timestamp(o, {}, QStringLiteral("resolvedAt"));
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("action.escalated")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("seq"), QStringLiteral("actionId"), QStringLiteral("group"),
                                        QStringLiteral("at")});
        ActionEscalated f;
        f.seq = readSeq(reader, o, QStringLiteral("seq"));
        f.actionId = reader.identifier(o, {}, QStringLiteral("actionId"), ActionLimits::maxIdBytes);
        f.group = reader.identifier(o, {}, QStringLiteral("group"), 64);
        f.at = reader.timestamp(o, {}, QStringLiteral("at"));
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("subscribed")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("since"), QStringLiteral("head"), QStringLiteral("mode")});
        Subscribed f;
        f.since = readSeq(reader, o, QStringLiteral("since"));
        f.head = readSeq(reader, o, QStringLiteral("head"));
        const QString mode = reader.string(o, {}, QStringLiteral("mode"), 16);
        if (!reader.failed() && mode != QLatin1String("snapshot") && mode != QLatin1String("replay"))
            reader.fail(QStringLiteral("mode"), QStringLiteral("must be \"snapshot\" or \"replay\""));
        f.snapshot = mode == QLatin1String("snapshot");
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("decision.result")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("requestId"), QStringLiteral("actionId"),
                                        QStringLiteral("status"), QStringLiteral("code"),
                                        QStringLiteral("message"), QStringLiteral("at")});
        DecisionResult f;
        f.requestId = reader.identifier(o, {}, QStringLiteral("requestId"));
        f.actionId = reader.identifier(o, {}, QStringLiteral("actionId"), ActionLimits::maxIdBytes);
        const QString status = reader.string(o, {}, QStringLiteral("status"), 16);
        if (!reader.failed() && status != QLatin1String("accepted") && status != QLatin1String("refused"))
            reader.fail(QStringLiteral("status"), QStringLiteral("must be \"accepted\" or \"refused\""));
        f.accepted = status == QLatin1String("accepted");
        f.code = reader.string(o, {}, QStringLiteral("code"), 64, true);
        f.message = reader.string(o, {}, QStringLiteral("message"), 1024, true);
        f.at = reader.timestamp(o, {}, QStringLiteral("at"));
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("error")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("code"), QStringLiteral("message"), QStringLiteral("requestId")});
        ErrorFrame f;
        f.code = reader.string(o, {}, QStringLiteral("code"), 64);
        f.message = reader.string(o, {}, QStringLiteral("message"), 1024, true);
        f.requestId = reader.optionalString(o, {}, QStringLiteral("requestId"), 128).value_or(QString());
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("pong")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("nonce"), QStringLiteral("serverTime")});
        Pong f;
        f.nonce = reader.string(o, {}, QStringLiteral("nonce"), 128, true);
        f.serverTime = reader.timestamp(o, {}, QStringLiteral("serverTime"));
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("audit.checkpoint")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("note")});
        AuditCheckpoint f;
        f.note = reader.string(o, {}, QStringLiteral("note"), kMaxCheckpointNoteBytes).toUtf8();
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    if (type == QLatin1String("audit.consistency")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("requestId"), QStringLiteral("first"),
                                        QStringLiteral("second"), QStringLiteral("proof")});
        ConsistencyProof f;
        f.requestId = reader.identifier(o, {}, QStringLiteral("requestId"));
        f.first = readSeq(reader, o, QStringLiteral("first"));
        f.second = readSeq(reader, o, QStringLiteral("second"));
        const QJsonArray hashes = reader.array(o, {}, QStringLiteral("proof"), kMaxProofHashes);
        for (qsizetype i = 0; !reader.failed() && i < hashes.size(); ++i) {
            const QByteArray encoded = hashes.at(i).toString().toLatin1();
            const auto decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::AbortOnBase64DecodingErrors);
            if (!hashes.at(i).isString() || !decoded || decoded.decoded.size() != 32 || decoded.decoded.toBase64() != encoded)
                reader.fail(FieldReader::index(QStringLiteral("proof"), i), QStringLiteral("must be a 32-byte hash in canonical base64"));
            else
                f.proof.append(decoded.decoded);
        }
        if (!reader.failed() && f.first > f.second)
            reader.fail(QStringLiteral("first"), QStringLiteral("must not be greater than second"));
        if (reader.failed())
            return reader.error();
        return ServerFrame{f};
    }
    return makeError(QStringLiteral("frame.unknown_type"),
                     QStringLiteral("type: unknown frame type \"%1\"").arg(type.left(32)));
}

Result<ClientFrame> parseClientFrame(QByteArrayView text)
{
    auto parsed = frameObject(text, kMaxClientFrameBytes);
    if (!parsed)
        return parsed.error();
    const QJsonObject &o = parsed.value();
    FieldReader reader(QStringLiteral("frame.invalid"));
    const QString type = reader.string(o, {}, kType, 32);
    if (reader.failed())
        return reader.error();

    if (type == QLatin1String("subscribe")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("since")});
        Subscribe f;
        f.since = readSeq(reader, o, QStringLiteral("since"));
        if (reader.failed())
            return reader.error();
        return ClientFrame{f};
    }
    if (type == QLatin1String("signin")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("token")});
        SignIn f;
        f.token = reader.string(o, {}, QStringLiteral("token"), kMaxClientFrameBytes).toLatin1();
        if (reader.failed())
            return reader.error();
        return ClientFrame{f};
    }
    if (type == QLatin1String("decision")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("requestId"), QStringLiteral("actionId"),
                                        QStringLiteral("token")});
        Decision f;
        f.requestId = reader.identifier(o, {}, QStringLiteral("requestId"));
        f.actionId = reader.identifier(o, {}, QStringLiteral("actionId"), ActionLimits::maxIdBytes);
        f.token = reader.string(o, {}, QStringLiteral("token"), kMaxClientFrameBytes).toLatin1();
        if (reader.failed())
            return reader.error();
        return ClientFrame{f};
    }
    if (type == QLatin1String("ping")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("nonce")});
        Ping f;
        f.nonce = reader.string(o, {}, QStringLiteral("nonce"), 128, true);
        if (reader.failed())
            return reader.error();
        return ClientFrame{f};
    }
    if (type == QLatin1String("audit.prove")) {
        reader.onlyKnownMembers(o, {}, {kType, QStringLiteral("requestId"), QStringLiteral("first"), QStringLiteral("second")});
        ProveConsistency f;
        f.requestId = reader.identifier(o, {}, QStringLiteral("requestId"));
        f.first = reader.integer(o, {}, QStringLiteral("first"), 1, (qint64(1) << 53));
        f.second = reader.integer(o, {}, QStringLiteral("second"), 1, (qint64(1) << 53));
        if (!reader.failed() && f.first > f.second)
            reader.fail(QStringLiteral("first"), QStringLiteral("must not be greater than second"));
        if (reader.failed())
            return reader.error();
        return ClientFrame{f};
    }
    return makeError(QStringLiteral("frame.unknown_type"),
                     QStringLiteral("type: unknown frame type \"%1\"").arg(type.left(32)));
}

} // namespace countersign::protocol
