// Exporting audit entries as JSON Lines or RFC 4180 CSV: one format for `countersign-audit
// export` and the console's audit browser, so a file from either reads the same. Each JSON line
// carries the exact bytes the entry's leaf hash is over, for anyone to recompute.
#pragma once

#include "core/Result.h"
#include "core/audit/AuditLog.h"

#include <functional>
#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>

namespace countersign::audit {

enum class ExportFormat {
    JsonLines, // {"entry":<leaf bytes>,"leafHash":"<hex>"} per line
    Csv,       // seq,time,kind,actor,subject,payload,prev_hash,leaf_hash (CRLF, quoted where needed)
};

// "jsonl" or "csv".
[[nodiscard]] std::optional<ExportFormat> exportFormatFromName(const QString &name);

// What a file starts with: the CSV header line, or nothing.
[[nodiscard]] QByteArray exportHeader(ExportFormat format);
// One entry as a line of the format, with its line ending.
[[nodiscard]] QByteArray exportLine(const AuditEntry &entry, ExportFormat format);
// An RFC 4180 cell: quoted when it holds a comma, quote or line break; a leading = + - @ TAB or
// CR (which spreadsheets run as a formula) gets an apostrophe first.
[[nodiscard]] QByteArray csvCell(const QByteArray &value);

inline constexpr int kExportPageSize = 1000;

// Writes the header and then every entry the pages give, oldest first. nextPage(afterSeq) returns
// the entries after afterSeq (an empty list at the end); write(bytes) returns false to stop (a
// full disk); progress(entries written) is called after each page and returns false to cancel.
// Returns the number of entries written; errors from nextPage pass through, "audit.export_failed"
// if write fails, "audit.cancelled" if progress cancels.
using ExportPageSource = std::function<Result<QList<AuditEntry>>(qint64 afterSeq)>;
[[nodiscard]] Result<qint64> exportEntries(ExportFormat format, const ExportPageSource &nextPage,
                                           const std::function<bool(const QByteArray &)> &write,
                                           const std::function<bool(qint64 written)> &progress = {});

} // namespace countersign::audit
