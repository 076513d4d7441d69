// The audit browser's detail pane.
#include "ui/AuditEntryView.h"
#include "ui/PlainWidgets.h"

#include "core/ServerTime.h"
#include "core/audit/AuditIndex.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "core/text/DisplayText.h"
#include "models/AuditHistoryModel.h"
#include "ui/ActionDetailView.h"
#include "ui/Band.h"
#include "ui/ParameterTree.h"

#include <QFontDatabase>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

constexpr int kMaxValueChars = 200;

enum Fact { Kind, Actor, Subject, Outcome, Agent, User, Reviewer, Tool, Judge, Recorded, Position, LeafHash, FactCount };

const char *const kFactNames[FactCount] = {"Kind",   "Actor",     "Subject", "Outcome", "Agent", "On behalf of",
                                           "Reviewer", "Tool", "Judge", "Recorded", "In the log", "Leaf hash"};

QString localTime(const QString &utc, const char *format = "yyyy-MM-dd HH:mm:ss")
{
    const std::optional<QDateTime> time = json::parseTimestamp(utc);
    return time ? QLocale().toString(time->toLocalTime(), QLatin1String(format)) : displayText(utc, 40);
}

QString orDash(const QString &value)
{
    return value.isEmpty() ? QStringLiteral("—") : displayText(value, kMaxValueChars);
}

} // namespace

AuditEntryView::AuditEntryView(QWidget *parent) : QWidget(parent), m_time(std::make_unique<ServerTime>(SystemClock::instance()))
{
    setObjectName(QStringLiteral("auditEntryView"));
    setAccessibleName(QStringLiteral("Audit entry"));
    m_stack = new QStackedWidget(this);

    // Page 0: nothing selected, loading, or an error.
    auto *placeholder = new QWidget(m_stack);
    placeholder->setBackgroundRole(QPalette::Base);
    placeholder->setAutoFillBackground(true);
    m_placeholderTitle = plainLabel(placeholder, QStringLiteral("auditEntryPlaceholderTitle"));
    m_placeholderTitle->setAlignment(Qt::AlignCenter);
    QFont titleFont = m_placeholderTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    titleFont.setWeight(QFont::DemiBold);
    m_placeholderTitle->setFont(titleFont);
    m_placeholderText = plainLabel(placeholder, QStringLiteral("auditEntryPlaceholderText"));
    m_placeholderText->setAlignment(Qt::AlignCenter);
    m_placeholderText->setWordWrap(true);
    m_placeholderText->setForegroundRole(QPalette::PlaceholderText);
    auto *placeholderLayout = new QVBoxLayout(placeholder);
    placeholderLayout->setContentsMargins(40, 40, 40, 40);
    placeholderLayout->addStretch(2);
    placeholderLayout->addWidget(m_placeholderTitle);
    placeholderLayout->addSpacing(6);
    placeholderLayout->addWidget(m_placeholderText);
    placeholderLayout->addStretch(3);
    m_stack->addWidget(placeholder);

    // Page 1: the entry.
    auto *page = new QWidget(m_stack);
    m_title = plainLabel(page, QStringLiteral("auditEntryTitle"));
    m_title->setWordWrap(true);
    QFont headlineFont = m_title->font();
    headlineFont.setPointSizeF(headlineFont.pointSizeF() * 1.3);
    headlineFont.setWeight(QFont::DemiBold);
    m_title->setFont(headlineFont);
    m_meta = plainLabel(page, QStringLiteral("auditEntryMeta"));
    m_meta->setForegroundRole(QPalette::PlaceholderText);
    m_meta->setWordWrap(true);

    m_signatureBand = new Band(Semantic::Neutral, page);
    m_signatureBand->setObjectName(QStringLiteral("signatureBand"));
    m_signatureBand->setAccessibleName(QStringLiteral("Decision signature"));
    m_signatureTitle = plainLabel(m_signatureBand, QStringLiteral("signatureTitle"));
    QFont bold = m_signatureTitle->font();
    bold.setWeight(QFont::DemiBold);
    m_signatureTitle->setFont(bold);
    m_signatureDetail = plainLabel(m_signatureBand, QStringLiteral("signatureDetail"));
    m_signatureDetail->setWordWrap(true);
    auto *signatureLayout = new QVBoxLayout(m_signatureBand);
    signatureLayout->setContentsMargins(14, 7, 10, 8);
    signatureLayout->setSpacing(2);
    signatureLayout->addWidget(m_signatureTitle);
    signatureLayout->addWidget(m_signatureDetail);

    auto *facts = new QWidget(page);
    facts->setObjectName(QStringLiteral("auditEntryFacts"));
    auto *factsLayout = new QGridLayout(facts);
    factsLayout->setContentsMargins(0, 4, 0, 4);
    factsLayout->setHorizontalSpacing(14);
    factsLayout->setVerticalSpacing(3);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (int row = 0; row < FactCount; ++row) {
        QLabel *name = plainLabel(facts);
        name->setText(QLatin1String(kFactNames[row]));
        name->setForegroundRole(QPalette::PlaceholderText);
        QLabel *value = plainLabel(facts, QStringLiteral("fact%1").arg(row));
        value->setWordWrap(row != LeafHash);
        if (row == LeafHash)
            value->setFont(fixed);
        value->setAccessibleName(QLatin1String(kFactNames[row]));
        // Two columns of facts side by side keep the pane short.
        const int half = (FactCount + 1) / 2;
        const int gridRow = row % half;
        const int gridColumn = row < half ? 0 : 2;
        factsLayout->addWidget(name, gridRow, gridColumn, Qt::AlignTop);
        factsLayout->addWidget(value, gridRow, gridColumn + 1, Qt::AlignTop);
        m_factValues.append(value);
    }
    factsLayout->setColumnStretch(1, 1);
    factsLayout->setColumnStretch(3, 1);

    m_tabs = new QTabWidget(page);
    m_tabs->setObjectName(QStringLiteral("auditEntryTabs"));
    m_tabs->setDocumentMode(true);

    m_actionPage = new QWidget(m_tabs);
    m_actionProblem = plainLabel(m_actionPage, QStringLiteral("actionProblemLabel"));
    m_actionProblem->setWordWrap(true);
    m_actionProblem->setContentsMargins(16, 10, 16, 10);
    m_action = new ActionDetailView(*m_time, m_actionPage);
    m_action->setHistorical(true);
    // Object names are unique in a window (tests and accessibility tools find the queue's
    // detail by them): this copy's are prefixed.
    for (QObject *child : m_action->findChildren<QObject *>()) {
        if (!child->objectName().isEmpty())
            child->setObjectName(QStringLiteral("audit.") + child->objectName());
    }
    m_action->setObjectName(QStringLiteral("auditActionView"));
    auto *actionLayout = new QVBoxLayout(m_actionPage);
    actionLayout->setContentsMargins(0, 0, 0, 0);
    actionLayout->setSpacing(0);
    actionLayout->addWidget(m_actionProblem);
    actionLayout->addWidget(m_action, 1);

    m_payload = new ParameterTree(m_tabs);
    m_payload->setObjectName(QStringLiteral("payloadTree"));
    m_payload->setAccessibleName(QStringLiteral("Payload"));

    m_history = new QTreeWidget(m_tabs);
    m_history->setObjectName(QStringLiteral("actionHistory"));
    m_history->setAccessibleName(QStringLiteral("Every entry about this action"));
    m_history->setHeaderLabels({QStringLiteral("Entry"), QStringLiteral("Time"), QStringLiteral("Event"), QStringLiteral("Actor")});
    m_history->setRootIsDecorated(false);
    m_history->setUniformRowHeights(true);
    m_history->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_history->header()->setStretchLastSection(true);
    connect(m_history, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const qint64 seq = item->data(0, Qt::UserRole).toLongLong();
        if (seq > 0 && seq != m_seq)
            Q_EMIT entryRequested(seq);
    });

    m_raw = new QPlainTextEdit(m_tabs);
    m_raw->setObjectName(QStringLiteral("rawEntry"));
    m_raw->setAccessibleName(QStringLiteral("The raw entry"));
    m_raw->setReadOnly(true);
    m_raw->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_raw->setFont(fixed);

    m_tabs->addTab(m_actionPage, QStringLiteral("As the reviewer saw it"));
    m_tabs->addTab(m_payload, QStringLiteral("Payload"));
    m_tabs->addTab(m_history, QStringLiteral("Action history"));
    m_tabs->addTab(m_raw, QStringLiteral("Raw entry"));

    auto *pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(18, 14, 18, 0);
    pageLayout->setSpacing(6);
    pageLayout->addWidget(m_title);
    pageLayout->addWidget(m_meta);
    pageLayout->addWidget(m_signatureBand);
    pageLayout->addWidget(facts);
    pageLayout->addWidget(m_tabs, 1);
    m_stack->addWidget(page);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    clear(QStringLiteral("No entry selected"), QStringLiteral("Select an entry in the list to see it as it was recorded."));
}

AuditEntryView::~AuditEntryView() = default;

void AuditEntryView::clear(const QString &title, const QString &text)
{
    m_detail.reset();
    m_seq = 0;
    m_placeholderTitle->setText(title);
    m_placeholderText->setText(text);
    m_stack->setCurrentIndex(0);
}

void AuditEntryView::showLoading(qint64 seq)
{
    const bool wasShowing = m_detail.has_value();
    m_seq = seq;
    if (!wasShowing) {
        m_placeholderTitle->setText(QStringLiteral("Entry %1").arg(seq));
        m_placeholderText->setText(QStringLiteral("Reading it from the log…"));
        m_stack->setCurrentIndex(0);
    }
}

void AuditEntryView::showError(qint64 seq, const QString &message)
{
    m_detail.reset();
    m_seq = seq;
    m_placeholderTitle->setText(QStringLiteral("Entry %1 cannot be shown").arg(seq));
    m_placeholderText->setText(displayText(message, 600, TextLines::Multiple));
    m_stack->setCurrentIndex(0);
}

void AuditEntryView::setFact(int row, const QString &value, const QString &toolTip)
{
    QLabel *label = m_factValues.at(row);
    label->setText(value);
    label->setToolTip(toolTip);
}

QString AuditEntryView::signatureText() const
{
    if (m_signatureBand->isHidden())
        return {};
    return m_signatureTitle->text() + QStringLiteral(": ") + m_signatureDetail->text();
}

void AuditEntryView::showRaw()
{
    m_tabs->setCurrentWidget(m_raw);
}

void AuditEntryView::showDetail(const AuditEntryDetail &detail)
{
    const bool sameEntry = m_detail && m_detail->entry.seq == detail.entry.seq;
    m_detail = detail;
    m_seq = detail.entry.seq;
    const audit::AuditEntry &entry = detail.entry;
    const audit::IndexFields &fields = detail.fields;

    QString title = AuditHistoryModel::eventTitle(entry.kind, fields.outcome);
    if (!fields.tool.isEmpty())
        title += QStringLiteral(" · ") + displayText(fields.tool, 80);
    m_title->setText(title);
    m_meta->setText(QStringLiteral("Entry %1 · %2 · %3").arg(entry.seq).arg(localTime(entry.time), displayText(entry.kind, 64)));
    m_meta->setToolTip(plainToolTip(QStringLiteral("Recorded at (UTC):"), entry.time));

    // A decision: does its signature verify now, by whom, and for the action shown?
    m_signatureBand->setVisible(detail.signature.has_value());
    if (detail.signature) {
        using Status = audit::DecisionSignature::Status;
        const audit::DecisionSignature &signature = *detail.signature;
        const QString keyId = displayText(signature.keyId, 64);
        switch (signature.status) {
        case Status::Verified:
            m_signatureBand->setSemantic(Semantic::Positive);
            m_signatureTitle->setText(QStringLiteral("Signature verified"));
            m_signatureDetail->setText(
                (detail.action ? QStringLiteral("Signed by %1 with key %2, for this action and the digest of what is shown below.")
                               : QStringLiteral("Signed by %1 with key %2 for this action; its submission is not in this log, so the "
                                                "digest was not compared."))
                    .arg(displayText(signature.reviewer, 80), keyId));
            break;
        case Status::Invalid:
            m_signatureBand->setSemantic(Semantic::Danger);
            m_signatureTitle->setText(QStringLiteral("Signature invalid"));
            m_signatureDetail->setText(QStringLiteral("The decision %1").arg(displayText(signature.detail, 400)));
            break;
        case Status::KeyNotEnrolled:
            m_signatureBand->setSemantic(Semantic::Warning);
            m_signatureTitle->setText(QStringLiteral("Key not in this log"));
            m_signatureDetail->setText(
                QStringLiteral("Signed with key %1, which no reviewer enrolment in this log holds, so it cannot be checked here. "
                               "Reviewers that came with the gateway's policy file are not enrolled in the log: check with "
                               "countersign-audit verify --reviewers.")
                    .arg(keyId));
            break;
        case Status::DigestMismatch:
            m_signatureBand->setSemantic(Semantic::Danger);
            m_signatureTitle->setText(QStringLiteral("Digest does not match the action shown"));
            m_signatureDetail->setText(QStringLiteral("Validly signed by %1, but the decision %2")
                                           .arg(displayText(signature.reviewer, 80), displayText(signature.detail, 400)));
            break;
        case Status::NoToken:
            m_signatureBand->setSemantic(Semantic::Warning);
            m_signatureTitle->setText(QStringLiteral("No signature"));
            m_signatureDetail->setText(QStringLiteral("The entry holds no decision token."));
            break;
        }
        m_signatureBand->setAccessibleDescription(signatureText());
    }

    setFact(Kind, displayText(entry.kind, 64));
    setFact(Actor, orDash(entry.actor), entry.actor.isEmpty() ? QString() : plainToolTip(QStringLiteral("Actor:"), entry.actor));
    setFact(Subject, orDash(entry.subject), entry.subject.isEmpty() ? QString() : plainToolTip(QStringLiteral("Subject:"), entry.subject));
    setFact(Outcome, fields.outcome.isEmpty() ? QStringLiteral("—") : audit::outcomeTitle(fields.outcome));
    setFact(Agent, orDash(fields.agent));
    setFact(User, orDash(fields.user));
    setFact(Reviewer, orDash(fields.reviewer));
    setFact(Tool, orDash(fields.tool));
    setFact(Judge, fields.actionId.isEmpty() ? QStringLiteral("—") : fields.flagged ? QStringLiteral("Flagged") : QStringLiteral("Pass"));
    setFact(Recorded, QStringLiteral("%1 (%2 UTC)").arg(localTime(entry.time), displayText(entry.time, 40)));
    setFact(Position, detail.checkpointSize > 0
                          ? QStringLiteral("entry %1 · in the signed checkpoint at size %2").arg(entry.seq).arg(detail.checkpointSize)
                          : QStringLiteral("entry %1 · not yet in a signed checkpoint").arg(entry.seq));
    setFact(LeafHash, QString::fromLatin1(entry.leafHash.toHex().left(32)) + QStringLiteral("…"),
            plainToolTip(QStringLiteral("Leaf hash (SHA-256 of 0x00 and the leaf bytes):"), QString::fromLatin1(entry.leafHash.toHex())));

    // The action as the reviewer saw it: the submission's action, read-only.
    const bool aboutAction = !fields.actionId.isEmpty() || detail.action.has_value();
    m_tabs->setTabVisible(m_tabs->indexOf(m_actionPage), aboutAction);
    m_tabs->setTabVisible(m_tabs->indexOf(m_history), !detail.history.isEmpty());
    m_actionProblem->setVisible(!detail.actionProblem.isEmpty() || (detail.action && detail.submissionSeq != entry.seq));
    if (!detail.actionProblem.isEmpty()) {
        m_actionProblem->setText(displayText(detail.actionProblem, 600));
    } else if (detail.action && detail.submissionSeq != entry.seq) {
        m_actionProblem->setText(QStringLiteral("From the action's submission, entry %1: what the reviewer was shown.").arg(detail.submissionSeq));
    }
    m_action->setVisible(detail.action.has_value());
    if (detail.action)
        m_action->showAction(*detail.action, {});

    const Result<QJsonValue> payload = json::parse(entry.payload, json::Limits{audit::kMaxPayloadBytes, 64});
    m_payload->setParameters(payload && payload.value().isObject() ? payload.value().toObject() : QJsonObject{});

    m_history->clear();
    for (const audit::BrowseRow &row : detail.history) {
        auto *item = new QTreeWidgetItem(m_history);
        item->setText(0, QString::number(row.seq));
        item->setText(1, localTime(row.time));
        item->setText(2, AuditHistoryModel::eventTitle(row.kind, row.outcome));
        item->setText(3, displayText(row.actor, 80));
        item->setData(0, Qt::UserRole, row.seq);
        if (row.seq == entry.seq) {
            QFont font = item->font(0);
            font.setWeight(QFont::DemiBold);
            for (int column = 0; column < 4; ++column)
                item->setFont(column, font);
        }
    }

    m_raw->setPlainText(QStringLiteral("Entry %1: the leaf bytes (RFC 8785 canonical JSON) its leaf hash is computed over:\n\n").arg(entry.seq)
                        + QString::fromUtf8(audit::leafBytes(entry))
                        + QStringLiteral("\n\nleaf hash  %1\nprev hash  %2\n\nThe payload, indented:\n\n")
                              .arg(QString::fromLatin1(entry.leafHash.toHex()), QString::fromLatin1(entry.prevHash.toHex()))
                        + QString::fromUtf8(detail.prettyPayload));

    if (!sameEntry)
        m_tabs->setCurrentIndex(aboutAction && detail.action ? m_tabs->indexOf(m_actionPage) : m_tabs->indexOf(m_payload));
    m_stack->setCurrentIndex(1);
}

} // namespace countersign::ui
