// The audit browser's list: entries newest first, loaded a page at a time as the view scrolls
// (fetchMore), never the whole log. Pages come from an AuditLogReader off the GUI thread; a
// filter change starts a new generation, so a page for an older filter is never shown. Rows are
// thin; their text is formatted in data().
#pragma once

#include "core/Result.h"
#include "core/audit/AuditQuery.h"
#include "models/SemanticColors.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QList>

namespace countersign {

class AuditLogReader;

class AuditHistoryModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Event, Actor, Tool, Agent, User, Subject, Judge, ColumnCount };
    enum Role {
        SeqRole = Qt::UserRole, // qint64
        KindRole,               // the entry's kind
        OutcomeRole,            // outcome name (AuditIndex.h), or empty
        ActionIdRole,
    };
    static constexpr int kPageSize = 200;

    explicit AuditHistoryModel(AuditLogReader *reader, QObject *parent = nullptr);
    Q_DISABLE_COPY_MOVE(AuditHistoryModel)

    // Empties the list and loads it again from the newest entry that passes filter.
    void setFilter(const audit::BrowseFilter &filter);
    [[nodiscard]] const audit::BrowseFilter &filter() const { return m_filter; }
    void reload() { setFilter(m_filter); }
    // Nothing shown, nothing loading (no log).
    void clear();

    [[nodiscard]] const audit::BrowseRow *rowAt(int row) const;
    [[nodiscard]] int rowOfSeq(qint64 seq) const;
    [[nodiscard]] bool isLoading() const { return m_loading; }
    [[nodiscard]] bool atEnd() const { return m_atEnd; }
    [[nodiscard]] bool hasLoadedFirstPage() const { return m_firstPageLoaded; }

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // "Approved", "Session opened", ... for a row's kind and outcome.
    [[nodiscard]] static QString eventTitle(const QString &kind, const QString &outcome);
    [[nodiscard]] static Semantic eventSemantic(const QString &kind, const QString &outcome);

Q_SIGNALS:
    void loadingChanged(bool loading);
    void pageLoaded(int rows, bool atEnd);
    void pageFailed(const countersign::Error &error);

private:
    void requestNext();
    void setLoading(bool loading);
    void onPageReady(quint64 generation, const QList<audit::BrowseRow> &rows, bool atEnd);
    void onPageFailed(quint64 generation, const Error &error);
    [[nodiscard]] QString timeText(const audit::BrowseRow &row) const;

    AuditLogReader *m_reader;
    audit::BrowseFilter m_filter;
    QList<audit::BrowseRow> m_rows;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_atEnd = true;
    bool m_firstPageLoaded = false;
    mutable QCache<qint64, QString> m_timeTexts{4000};
};

} // namespace countersign
