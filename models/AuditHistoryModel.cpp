// The audit browser's list model.
#include "models/AuditHistoryModel.h"

#include "core/audit/AuditIndex.h"
#include "core/json/FieldReader.h"
#include "core/text/DisplayText.h"
#include "models/AuditLogReader.h"

#include <limits>

#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

namespace countersign {

namespace {

constexpr int kMaxCellChars = 80;

} // namespace

AuditHistoryModel::AuditHistoryModel(AuditLogReader *reader, QObject *parent) : QAbstractTableModel(parent), m_reader(reader)
{
    connect(reader, &AuditLogReader::pageReady, this, &AuditHistoryModel::onPageReady);
    connect(reader, &AuditLogReader::pageFailed, this, &AuditHistoryModel::onPageFailed);
}

void AuditHistoryModel::setFilter(const audit::BrowseFilter &filter)
{
    beginResetModel();
    m_filter = filter;
    m_rows.clear();
    m_timeTexts.clear();
    ++m_generation; // whatever is still coming for the old filter is dropped
    m_atEnd = false;
    m_firstPageLoaded = false;
    const bool wasLoading = m_loading;
    m_loading = false; // before the reset ends: a view may fetch the first page from its handler
    endResetModel();
    if (wasLoading && !m_loading)
        Q_EMIT loadingChanged(false);
    requestNext();
}

void AuditHistoryModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_timeTexts.clear();
    ++m_generation;
    m_atEnd = true;
    m_firstPageLoaded = false;
    const bool wasLoading = m_loading;
    m_loading = false;
    endResetModel();
    if (wasLoading)
        Q_EMIT loadingChanged(false);
}

void AuditHistoryModel::requestNext()
{
    if (m_loading || m_atEnd || !m_reader->isOpen())
        return;
    setLoading(true);
    m_reader->requestPage(m_generation, m_rows.isEmpty() ? 0 : m_rows.constLast().seq, kPageSize, m_filter);
}

void AuditHistoryModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged(loading);
}

void AuditHistoryModel::onPageReady(quint64 generation, const QList<audit::BrowseRow> &rows, bool atEnd)
{
    if (generation != m_generation)
        return; // for a filter no longer shown
    // Keyset paging: a page only ever continues with older entries.
    const qint64 last = m_rows.isEmpty() ? std::numeric_limits<qint64>::max() : m_rows.constLast().seq;
    qsizetype from = 0;
    while (from < rows.size() && rows.at(from).seq >= last)
        ++from;
    if (from < rows.size()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size() - from - 1));
        m_rows.append(rows.mid(from));
        endInsertRows();
    }
    m_atEnd = atEnd;
    m_firstPageLoaded = true;
    setLoading(false);
    Q_EMIT pageLoaded(int(rows.size()), atEnd);
}

void AuditHistoryModel::onPageFailed(quint64 generation, const Error &error)
{
    if (generation != m_generation)
        return;
    m_atEnd = true; // until the filter changes or the list is reloaded
    setLoading(false);
    Q_EMIT pageFailed(error);
}

const audit::BrowseRow *AuditHistoryModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

int AuditHistoryModel::rowOfSeq(qint64 seq) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).seq == seq)
            return int(i);
    }
    return -1;
}

int AuditHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags AuditHistoryModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

bool AuditHistoryModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_atEnd && !m_loading && m_reader->isOpen();
}

void AuditHistoryModel::fetchMore(const QModelIndex &parent)
{
    if (!parent.isValid())
        requestNext();
}

QString AuditHistoryModel::timeText(const audit::BrowseRow &row) const
{
    if (const QString *cached = m_timeTexts.object(row.seq))
        return *cached;
    const std::optional<QDateTime> utc = json::parseTimestamp(row.time);
    auto *text = new QString(utc ? QLocale().toString(utc->toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                 : displayText(row.time, 40));
    const QString copy = *text;
    m_timeTexts.insert(row.seq, text);
    return copy;
}

QString AuditHistoryModel::eventTitle(const QString &kind, const QString &outcome)
{
    if (!outcome.isEmpty())
        return audit::outcomeTitle(outcome);
    if (kind == QLatin1String("session.opened"))
        return QStringLiteral("Signed in");
    if (kind == QLatin1String("session.closed"))
        return QStringLiteral("Signed out");
    if (kind == QLatin1String("auth.failed"))
        return QStringLiteral("Authentication failed");
    if (kind == QLatin1String("control.change"))
        return QStringLiteral("Control-plane change");
    return displayText(kind, 64);
}

Semantic AuditHistoryModel::eventSemantic(const QString &kind, const QString &outcome)
{
    using namespace audit::outcome;
    if (outcome == QLatin1String(kApproved))
        return Semantic::Positive;
    if (outcome == QLatin1String(kDeniedByReviewer) || outcome == QLatin1String(kRefusedByPolicy))
        return Semantic::Danger;
    if (outcome == QLatin1String(kDeniedByTimeout) || outcome == QLatin1String(kRefusedInvalid)
        || kind == QLatin1String("auth.failed"))
        return Semantic::Warning;
    if (outcome == QLatin1String(kApprovalPartial) || outcome == QLatin1String(kAllowedByPolicy)
        || kind == QLatin1String("control.change"))
        return Semantic::Info;
    return Semantic::Neutral;
}

QVariant AuditHistoryModel::data(const QModelIndex &index, int role) const
{
    const audit::BrowseRow *row = index.isValid() ? rowAt(index.row()) : nullptr;
    if (!row)
        return {};
    switch (role) {
    case SeqRole:
        return row->seq;
    case KindRole:
        return row->kind;
    case OutcomeRole:
        return row->outcome;
    case ActionIdRole:
        return row->actionId;
    default:
        break;
    }
    // Everything below that came from the log is untrusted: shown escaped, never as rich text.
    const auto cell = [](const QString &value) { return displayText(value, kMaxCellChars); };
    const auto tip = [](const QString &title, const QString &value) -> QVariant {
        return value.isEmpty() ? QVariant() : QVariant(plainToolTip(title, value));
    };
    switch (index.column()) {
    case Time:
        if (role == Qt::DisplayRole)
            return timeText(*row);
        if (role == Qt::ToolTipRole)
            return plainToolTip(QStringLiteral("Recorded at (UTC), entry %1:").arg(row->seq), row->time);
        break;
    case Event:
        if (role == Qt::DisplayRole)
            return eventTitle(row->kind, row->outcome);
        if (role == Qt::ToolTipRole)
            return plainToolTip(QStringLiteral("Kind:"), row->kind);
        if (role == Qt::DecorationRole) {
            const Semantic semantic = eventSemantic(row->kind, row->outcome);
            return semantic == Semantic::Neutral ? QVariant() : QVariant(semanticColor(semantic, QGuiApplication::palette()));
        }
        break;
    case Actor:
        if (role == Qt::DisplayRole)
            return cell(row->actor);
        if (role == Qt::ToolTipRole)
            return tip(QStringLiteral("Actor:"), row->actor);
        break;
    case Subject:
        if (role == Qt::DisplayRole)
            return cell(row->subject);
        if (role == Qt::ToolTipRole)
            return tip(QStringLiteral("Subject:"), row->subject);
        break;
    case Agent:
        if (role == Qt::DisplayRole)
            return cell(row->agent);
        if (role == Qt::ToolTipRole)
            return tip(QStringLiteral("Acting agent:"), row->agent);
        break;
    case User:
        if (role == Qt::DisplayRole)
            return cell(row->user);
        if (role == Qt::ToolTipRole)
            return tip(QStringLiteral("On behalf of:"), row->user);
        break;
    case Tool:
        if (role == Qt::DisplayRole)
            return cell(row->tool);
        if (role == Qt::ToolTipRole)
            return tip(QStringLiteral("Tool:"), row->tool);
        break;
    case Judge:
        if (role == Qt::DisplayRole)
            return row->flagged ? QStringLiteral("Flagged") : QString();
        if (role == Qt::ForegroundRole && row->flagged)
            return semanticColor(Semantic::Warning, QGuiApplication::palette());
        break;
    default:
        break;
    }
    return {};
}

QVariant AuditHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return QStringLiteral("Time");
    case Event:
        return QStringLiteral("Event");
    case Actor:
        return QStringLiteral("Actor");
    case Subject:
        return QStringLiteral("Action / subject");
    case Agent:
        return QStringLiteral("Agent");
    case User:
        return QStringLiteral("On behalf of");
    case Tool:
        return QStringLiteral("Tool");
    case Judge:
        return QStringLiteral("Judge");
    default:
        return {};
    }
}

} // namespace countersign
