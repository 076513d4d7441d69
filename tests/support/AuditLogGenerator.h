// Writes a realistic audit log for tests through the real append path: entries shaped exactly
// like the ones the gateway records (docs/audit.md, gateway/Gateway.cpp), with reviewers enrolled
// by control-plane changes, decisions signed with their keys, expiries, refusals, sessions and
// signed checkpoints. It also keeps, for every entry, what a browser should find it by — written
// down here from what the generator did, not derived, so the index can be checked against it.
#pragma once

#include "core/Result.h"
#include "core/crypto/Ed25519.h"

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

namespace countersign::testsupport {

struct AuditLogSpec
{
    int actions = 60;
    quint32 seed = 1;
    // Real Ed25519 signatures on decisions; without, tokens have readable claims, a bad
    // signature and a key id no enrolled reviewer has (much faster for large logs).
    bool signDecisions = true;
    // Entries per append (and per clock step); 0: one append per action, each 7 minutes apart.
    int batchSize = 0;
    // A checkpoint signed with the gateway key every this many entries (0: none) and at the end.
    int checkpointEvery = 50;
    // The browse index brought up to date after every append, as a gateway keeps it; without,
    // the log is left unindexed (AuditLog::updateIndex).
    bool index = true;
    // A word that occurs only in the parameters of action number uniqueWordAction (0-based).
    QString uniqueWord = QStringLiteral("quokkaswift");
    int uniqueWordAction = 5;
};

// What one entry should be found by.
struct ExpectedEntry
{
    qint64 seq = 0;
    QString time;
    QString kind;
    QString actor;
    QString subject;
    QString actionId;
    QString agent;
    QString user;
    QString reviewer;
    QString tool;
    QString outcome;
    bool flagged = false;
};

struct GeneratedAuditLog
{
    QString path;
    QByteArray gatewayKeyRaw;   // the gateway's Ed25519 public key, raw 32 bytes
    QString origin;             // the checkpoints' origin
    QStringList reviewers;
    QList<ExpectedEntry> entries; // ascending by seq
    QString uniqueWord;
    QString uniqueWordActionId;
    int checkpoints = 0;
};

[[nodiscard]] Result<GeneratedAuditLog> generateAuditLog(const QString &path, const AuditLogSpec &spec = {});

} // namespace countersign::testsupport
