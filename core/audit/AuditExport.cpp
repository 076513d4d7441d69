// The export formats of the audit log (docs/audit.md, "export").
#include "core/audit/AuditExport.h"

#include <QByteArrayView>

namespace countersign::audit {

std::optional<ExportFormat> exportFormatFromName(const QString &name)
{
    if (name == QLatin1String("jsonl"))
        return ExportFormat::JsonLines;
    if (name == QLatin1String("csv"))
        return ExportFormat::Csv;
    return std::nullopt;
}

QByteArray exportHeader(ExportFormat format)
{
    return format == ExportFormat::Csv ? QByteArray("seq,time,kind,actor,subject,payload,prev_hash,leaf_hash\r\n") : QByteArray();
}

QByteArray csvCell(const QByteArray &value)
{
    QByteArray cell = value;
    if (!cell.isEmpty() && QByteArrayView("=+-@\t\r").contains(cell.front()))
        cell.prepend('\'');
    if (cell.contains(',') || cell.contains('"') || cell.contains('\n') || cell.contains('\r')) {
        cell.replace("\"", "\"\"");
        cell = QByteArray("\"") + cell + '"';
    }
    return cell;
}

QByteArray exportLine(const AuditEntry &entry, ExportFormat format)
{
    if (format == ExportFormat::Csv) {
        return QByteArray::number(entry.seq) + ',' + csvCell(entry.time.toUtf8()) + ',' + csvCell(entry.kind.toUtf8()) + ','
            + csvCell(entry.actor.toUtf8()) + ',' + csvCell(entry.subject.toUtf8()) + ',' + csvCell(entry.payload) + ','
            + entry.prevHash.toHex() + ',' + entry.leafHash.toHex() + "\r\n";
    }
    // Canonical too: "entry" sorts before "leafHash".
    return QByteArray("{\"entry\":") + leafBytes(entry) + ",\"leafHash\":\"" + entry.leafHash.toHex() + "\"}\n";
}

Result<qint64> exportEntries(ExportFormat format, const ExportPageSource &nextPage,
                             const std::function<bool(const QByteArray &)> &write,
                             const std::function<bool(qint64 written)> &progress)
{
    const auto writeFailed = [] {
        return makeError(QStringLiteral("audit.export_failed"), QStringLiteral("the export could not be written"));
    };
    if (const QByteArray header = exportHeader(format); !header.isEmpty() && !write(header))
        return writeFailed();
    qint64 after = 0;
    qint64 written = 0;
    for (;;) {
        Result<QList<AuditEntry>> page = nextPage(after);
        if (!page)
            return page.error();
        if (page.value().isEmpty())
            break;
        QByteArray chunk;
        for (const AuditEntry &entry : page.value())
            chunk += exportLine(entry, format);
        if (!write(chunk))
            return writeFailed();
        written += page.value().size();
        after = page.value().last().seq;
        if (progress && !progress(written))
            return makeError(QStringLiteral("audit.cancelled"), QStringLiteral("the export was cancelled after %1 entries").arg(written));
    }
    return written;
}

} // namespace countersign::audit
