// The detail of one pending action and the decision bar.
#include "ui/ActionDetailView.h"
#include "ui/PlainWidgets.h"

#include "models/ActionSummary.h"
#include "core/text/DisplayText.h"
#include "models/EffectPreview.h"
#include "models/IdentityLinks.h"
#include "models/SemanticColors.h"
#include "ui/Badge.h"
#include "ui/Band.h"
#include "ui/EffectPreviewView.h"
#include "ui/ParameterTree.h"
#include "ui/Resources.h"

#include <algorithm>

#include <QFontDatabase>
#include <QFrame>
#include <QGridLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace countersign::ui {

// The thin countdown bar of the decision bar.
class CountdownBar final : public QWidget {
public:
    explicit CountdownBar(QWidget *parent) : QWidget(parent)
    {
        setFixedHeight(4);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }

    void setFraction(double fraction)
    {
        m_fraction = qBound(0.0, fraction, 1.0);
        update();
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        QColor track = palette().color(QPalette::WindowText);
        track.setAlphaF(0.10);
        painter.setBrush(track);
        const QRectF box = rect();
        painter.drawRoundedRect(box, 2, 2);
        if (m_fraction > 0.0) {
            painter.setBrush(countdownColor(m_fraction, palette()));
            painter.drawRoundedRect(
                QRectF(box.left(), box.top(), qMax(3.0, box.width() * m_fraction), box.height()), 2, 2);
        }
    }

private:
    double m_fraction = 1.0;
};

namespace {

constexpr int kMaxIdChars = 80;
constexpr int kMaxNameChars = 80;
constexpr int kMaxTextChars = 1200;

QLabel *mutedLabel(QWidget *parent, const QString &text = {})
{
    QLabel *label = plainLabel(parent);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setText(text);
    return label;
}

QLabel *sectionTitle(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText);
    label->setText(text.toUpper());
    label->setForegroundRole(QPalette::PlaceholderText);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.82);
    font.setWeight(QFont::DemiBold);
    font.setLetterSpacing(QFont::AbsoluteSpacing, 0.8);
    label->setFont(font);
    label->setContentsMargins(0, 14, 0, 2);
    return label;
}

QFont monospace(const QFont &base)
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(base.pointSizeF() * 0.95);
    return font;
}

QString principalName(const Principal &principal)
{
    return displayText(principal.id, kMaxIdChars);
}

bool jsonHasHiddenCharacters(const QJsonValue &value)
{
    if (value.isString())
        return hasHiddenCharacters(value.toString());
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::any_of(array.begin(), array.end(), [](const QJsonValue &v) { return jsonHasHiddenCharacters(v); });
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (hasHiddenCharacters(it.key()) || jsonHasHiddenCharacters(it.value()))
                return true;
        }
    }
    return false;
}

// Anything the reader sees that came from the action.
bool containsHiddenCharacters(const Action &action)
{
    QStringList texts {action.identity.user.id, action.identity.user.displayName, action.identity.application.id,
        action.identity.application.displayName, action.impact.rule, action.impact.reason};
    for (const AgentIdentity &agent : action.identity.agents)
        texts << agent.id << agent.instance;
    for (const JudgeVerdict &verdict : action.judges)
        texts << verdict.judgeId << verdict.category << verdict.rationale;
    const bool inTexts =
        std::any_of(texts.cbegin(), texts.cend(), [](const QString &t) { return hasHiddenCharacters(t); });
    return inTexts || jsonHasHiddenCharacters(action.parameters);
}

QString clockText(const QDateTime &utc)
{
    return QLocale().toString(utc.toLocalTime().time(), QStringLiteral("HH:mm:ss"));
}

} // namespace

ActionDetailView::ActionDetailView(const ServerTime &time, QWidget *parent) : QWidget(parent), m_time(time)
{
    setObjectName(QStringLiteral("detailView"));
    setAccessibleName(QStringLiteral("Action detail"));

    m_stack = new QStackedWidget(this);

    // Page 0: nothing selected.
    auto *placeholder = new QWidget(m_stack);
    placeholder->setObjectName(QStringLiteral("detailPlaceholder"));
    placeholder->setBackgroundRole(QPalette::Base);
    placeholder->setAutoFillBackground(true);
    auto *emblem = new QLabel(placeholder);
    emblem->setTextFormat(Qt::PlainText);
    emblem->setAlignment(Qt::AlignCenter);
    emblem->setPixmap(appIcon().pixmap(QSize(72, 72), devicePixelRatioF(), QIcon::Disabled));
    m_placeholderTitle = plainLabel(placeholder, QStringLiteral("placeholderTitle"));
    m_placeholderTitle->setAlignment(Qt::AlignCenter);
    QFont titleFont = m_placeholderTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setWeight(QFont::DemiBold);
    m_placeholderTitle->setFont(titleFont);
    m_placeholderText = mutedLabel(placeholder);
    m_placeholderText->setAlignment(Qt::AlignCenter);
    m_placeholderText->setWordWrap(true);
    auto *placeholderLayout = new QVBoxLayout(placeholder);
    placeholderLayout->setContentsMargins(48, 48, 48, 48);
    placeholderLayout->addStretch(2);
    placeholderLayout->addWidget(emblem);
    placeholderLayout->addSpacing(14);
    placeholderLayout->addWidget(m_placeholderTitle);
    placeholderLayout->addSpacing(6);
    placeholderLayout->addWidget(m_placeholderText);
    placeholderLayout->addStretch(3);
    m_stack->addWidget(placeholder);

    // Page 1: the action, scrolling above a fixed decision bar.
    auto *page = new QWidget(m_stack);
    m_scroll = new QScrollArea(page);
    m_scroll->setObjectName(QStringLiteral("detailScrollArea"));
    m_scroll->setAccessibleName(QStringLiteral("Action content"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    // A value too long to wrap scrolls rather than being cut off unseen.
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_scroll->setFocusPolicy(Qt::StrongFocus);
    m_scroll->setWidget(buildBody());
    m_decisionBar = buildDecisionBar();
    auto *pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    pageLayout->setSpacing(0);
    pageLayout->addWidget(m_scroll, 1);
    pageLayout->addWidget(m_decisionBar);
    m_stack->addWidget(page);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    m_tick.setInterval(1000);
    m_tick.setTimerType(Qt::CoarseTimer);
    connect(&m_tick, &QTimer::timeout, this, &ActionDetailView::updateCountdown);

    setTabOrder(m_scroll, m_reasonEdit);
    setTabOrder(m_reasonEdit, m_denyButton);
    setTabOrder(m_denyButton, m_approveButton);

    clearAction(true);
}

ActionDetailView::~ActionDetailView() = default;

QWidget *ActionDetailView::buildBody()
{
    auto *body = new QWidget;
    body->setObjectName(QStringLiteral("detailBody"));
    body->setBackgroundRole(QPalette::Base);
    body->setAutoFillBackground(true);

    // 1. What will happen.
    m_headline = plainLabel(body, QStringLiteral("headlineLabel"));
    m_headline->setWordWrap(true);
    m_headline->setAccessibleName(QStringLiteral("What will happen"));
    QFont headlineFont = m_headline->font();
    headlineFont.setPointSizeF(headlineFont.pointSizeF() * 1.45);
    headlineFont.setWeight(QFont::DemiBold);
    m_headline->setFont(headlineFont);

    auto *chips = new QHBoxLayout;
    chips->setSpacing(6);
    m_toolLabel = plainLabel(body, QStringLiteral("toolLabel"));
    m_toolLabel->setFont(monospace(font()));
    m_toolLabel->setAccessibleName(QStringLiteral("Tool and operation"));
    m_tierBadge = new Badge(body);
    m_tierBadge->setObjectName(QStringLiteral("tierBadge"));
    m_irreversibleBadge = new Badge(QStringLiteral("Irreversible"), Semantic::Danger, body);
    m_irreversibleBadge->setObjectName(QStringLiteral("irreversibleBadge"));
    m_irreversibleBadge->setFill(Badge::Fill::Outline);
    m_quorumBadge = new Badge(body);
    m_quorumBadge->setObjectName(QStringLiteral("quorumBadge"));
    m_quorumBadge->setSemantic(Semantic::Info);
    m_expiredBadge = new Badge(QStringLiteral("Expired"), Semantic::Neutral, body);
    m_expiredBadge->setObjectName(QStringLiteral("expiredBadge"));
    m_expiredBadge->setFill(Badge::Fill::Solid);
    m_categoryBadges = new QWidget(body);
    auto *categoryLayout = new QHBoxLayout(m_categoryBadges);
    categoryLayout->setContentsMargins(0, 0, 0, 0);
    categoryLayout->setSpacing(6);
    chips->addWidget(m_toolLabel);
    chips->addSpacing(4);
    chips->addWidget(m_tierBadge);
    chips->addWidget(m_irreversibleBadge);
    chips->addWidget(m_quorumBadge);
    chips->addWidget(m_categoryBadges);
    chips->addWidget(m_expiredBadge);
    chips->addStretch(1);

    m_metaLabel = mutedLabel(body);
    m_metaLabel->setObjectName(QStringLiteral("metaLabel"));
    m_metaLabel->setWordWrap(true);

    // The live quorum tally: who has signed so far, when more than one approval is needed.
    m_quorumLabel = plainLabel(body, QStringLiteral("quorumLabel"));
    m_quorumLabel->setWordWrap(true);
    m_quorumLabel->setAccessibleName(QStringLiteral("Approvals so far"));

    // The gateway told the rule's escalation group that this action is still undecided.
    m_escalationBand = new Band(Semantic::Warning, body);
    m_escalationBand->setObjectName(QStringLiteral("escalationNotice"));
    m_escalationBand->setAccessibleName(QStringLiteral("Escalation"));
    m_escalationLabel = plainLabel(m_escalationBand, QStringLiteral("escalationLabel"));
    m_escalationLabel->setWordWrap(true);
    QFont escalationFont = m_escalationLabel->font();
    escalationFont.setBold(true);
    m_escalationLabel->setFont(escalationFont);
    m_escalationDetail = plainLabel(m_escalationBand, QStringLiteral("escalationDetailLabel"));
    m_escalationDetail->setWordWrap(true);
    m_escalationDetail->setText(QStringLiteral("The gateway told this group that the action is still undecided. It is "
                                               "denied at its deadline unless someone decides it first."));
    auto *escalationLayout = new QVBoxLayout(m_escalationBand);
    escalationLayout->setContentsMargins(14, 7, 10, 7);
    escalationLayout->setSpacing(2);
    escalationLayout->addWidget(m_escalationLabel);
    escalationLayout->addWidget(m_escalationDetail);
    m_escalationBand->hide();

    m_hiddenBand = new Band(Semantic::Warning, body);
    m_hiddenBand->setObjectName(QStringLiteral("hiddenCharactersNotice"));
    QLabel *hiddenText = plainLabel(m_hiddenBand);
    hiddenText->setWordWrap(true);
    hiddenText->setText(
        QStringLiteral("This action contains invisible or direction-changing characters. They are shown "
                       "as ⟨U+…⟩ where they occur; text around them may not be what it seems."));
    auto *hiddenLayout = new QHBoxLayout(m_hiddenBand);
    hiddenLayout->setContentsMargins(14, 7, 10, 7);
    hiddenLayout->addWidget(hiddenText);

    // IAM-07: a credential was in what the agent sent. The gateway redacted it; the reviewer
    // learns that it leaked and what to do about it.
    m_credentialBand = new Band(Semantic::Danger, body);
    m_credentialBand->setObjectName(QStringLiteral("credentialNotice"));
    m_credentialText = plainLabel(m_credentialBand, QStringLiteral("credentialText"));
    m_credentialText->setWordWrap(true);
    auto *credentialLayout = new QHBoxLayout(m_credentialBand);
    credentialLayout->setContentsMargins(14, 7, 10, 7);
    credentialLayout->addWidget(m_credentialText);

    // Look-alike or mixed-script domains in the parameters (UTS #39).
    m_lookalikeBand = new Band(Semantic::Danger, body);
    m_lookalikeBand->setObjectName(QStringLiteral("lookalikeNotice"));
    m_lookalikeText = plainLabel(m_lookalikeBand, QStringLiteral("lookalikeText"));
    m_lookalikeText->setWordWrap(true);
    auto *lookalikeLayout = new QHBoxLayout(m_lookalikeBand);
    lookalikeLayout->setContentsMargins(14, 7, 10, 7);
    lookalikeLayout->addWidget(m_lookalikeText);

    // 2. Who.
    m_identity = new QWidget(body);
    m_identity->setObjectName(QStringLiteral("identityChain"));
    m_identity->setAccessibleName(QStringLiteral("Who is asking"));
    m_identityLayout = new QGridLayout(m_identity);
    m_identityLayout->setContentsMargins(0, 2, 0, 0);
    m_identityLayout->setHorizontalSpacing(10);
    m_identityLayout->setVerticalSpacing(6);

    // 3. The Judge.
    m_judges = new QWidget(body);
    m_judges->setObjectName(QStringLiteral("judgeVerdicts"));
    m_judges->setAccessibleName(QStringLiteral("Judge verdicts"));
    m_judgesLayout = new QVBoxLayout(m_judges);
    m_judgesLayout->setContentsMargins(0, 0, 0, 0);
    m_judgesLayout->setSpacing(6);

    // 4. Why it is here.
    m_ruleLabel = plainLabel(body, QStringLiteral("ruleLabel"));
    m_ruleLabel->setFont(monospace(font()));
    m_ruleLabel->setAccessibleName(QStringLiteral("Policy rule"));
    m_reasonWhyLabel = plainLabel(body, QStringLiteral("whyLabel"));
    m_reasonWhyLabel->setWordWrap(true);
    m_reasonWhyLabel->setAccessibleName(QStringLiteral("Why it needs a decision"));

    // 5. What it will do, for the kinds the console can picture; the parameters as sent under
    // it, one click (or R) away, and always shown when there is no preview.
    m_previewTitle = sectionTitle(QString(), body);
    m_previewTitle->setObjectName(QStringLiteral("previewTitle"));
    m_effectPreview = new EffectPreviewView(body);
    m_rawToggle = new QPushButton(QStringLiteral("Show raw parameters"), body);
    m_rawToggle->setObjectName(QStringLiteral("rawParametersToggle"));
    m_rawToggle->setAccessibleName(QStringLiteral("Raw parameters"));
    m_rawToggle->setToolTip(QStringLiteral("Show or hide the parameters exactly as sent (R)"));
    m_rawToggle->setCheckable(true);
    m_rawToggle->setAutoDefault(false);
    m_rawToggle->setFocusPolicy(Qt::StrongFocus);
    connect(m_rawToggle, &QPushButton::toggled, this, &ActionDetailView::updateRawParameters);
    m_parameters = new ParameterTree(body);
    auto *rawRow = new QHBoxLayout;
    rawRow->addWidget(sectionTitle(QStringLiteral("Parameters, as sent"), body));
    rawRow->addStretch(1);
    rawRow->addWidget(m_rawToggle, 0, Qt::AlignBottom);

    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(24, 20, 24, 16);
    layout->setSpacing(6);
    layout->addWidget(m_headline);
    layout->addSpacing(2);
    layout->addLayout(chips);
    layout->addWidget(m_metaLabel);
    layout->addWidget(m_quorumLabel);
    layout->addSpacing(4);
    layout->addWidget(m_escalationBand);
    layout->addWidget(m_credentialBand);
    layout->addWidget(m_lookalikeBand);
    layout->addWidget(m_hiddenBand);
    layout->addWidget(sectionTitle(QStringLiteral("Who is asking"), body));
    layout->addWidget(m_identity);
    layout->addWidget(sectionTitle(QStringLiteral("Judge"), body));
    layout->addWidget(m_judges);
    m_whyTitle = sectionTitle(QStringLiteral("Why it needs you"), body);
    layout->addWidget(m_whyTitle);
    layout->addWidget(m_ruleLabel);
    layout->addWidget(m_reasonWhyLabel);
    layout->addWidget(m_previewTitle);
    layout->addWidget(m_effectPreview);
    layout->addLayout(rawRow);
    layout->addWidget(m_parameters);
    layout->addStretch(1);
    return body;
}

QWidget *ActionDetailView::buildDecisionBar()
{
    auto *bar = new QWidget;
    bar->setObjectName(QStringLiteral("decisionBar"));
    bar->setAccessibleName(QStringLiteral("Decision"));

    m_countdownLabel = plainLabel(bar, QStringLiteral("countdownLabel"));
    QFont countdownFont = m_countdownLabel->font();
    countdownFont.setPointSizeF(countdownFont.pointSizeF() * 1.3);
    countdownFont.setWeight(QFont::DemiBold);
    m_countdownLabel->setFont(countdownFont);
    m_countdownLabel->setAccessibleName(QStringLiteral("Time left"));
    m_deadlineLabel = mutedLabel(bar);
    m_deadlineLabel->setObjectName(QStringLiteral("deadlineLabel"));
    m_countdownBar = new CountdownBar(bar);
    m_countdownBar->setObjectName(QStringLiteral("countdownBar"));

    auto *timeRow = new QHBoxLayout;
    timeRow->setSpacing(8);
    timeRow->addWidget(m_countdownLabel);
    timeRow->addWidget(m_deadlineLabel);
    timeRow->addStretch(1);

    m_armedBand = new Band(Semantic::Info, bar);
    m_armedBand->setObjectName(QStringLiteral("armedNotice"));
    m_armedLabel = plainLabel(m_armedBand, QStringLiteral("armedLabel"));
    m_armedLabel->setWordWrap(true);
    auto *armedLayout = new QHBoxLayout(m_armedBand);
    armedLayout->setContentsMargins(14, 7, 10, 7);
    armedLayout->addWidget(m_armedLabel);

    m_reasonEdit = new QLineEdit(bar);
    m_reasonEdit->setObjectName(QStringLiteral("reasonLineEdit"));
    m_reasonEdit->setAccessibleName(QStringLiteral("Reason"));
    m_reasonEdit->setAccessibleDescription(QStringLiteral("Required to deny; recorded with either decision"));
    m_reasonEdit->setPlaceholderText(QStringLiteral("Reason (required to deny)"));
    m_reasonEdit->setClearButtonEnabled(true);
    // Three UTF-8 bytes at most per UTF-16 unit keep any reason within the protocol's limit.
    m_reasonEdit->setMaxLength(static_cast<int>(protocol::kMaxReasonBytes / 3));
    connect(m_reasonEdit, &QLineEdit::textChanged, this, &ActionDetailView::updateWidgets);

    m_effectLabel = plainLabel(bar, QStringLiteral("effectLabel"));
    m_effectLabel->setWordWrap(true);
    m_effectLabel->setAccessibleName(QStringLiteral("What the decision will do"));

    m_denyButton = new QPushButton(QStringLiteral("Deny"), bar);
    m_denyButton->setObjectName(QStringLiteral("denyButton"));
    m_denyButton->setAccessibleName(QStringLiteral("Deny"));
    m_approveButton = new QPushButton(QStringLiteral("Approve"), bar);
    m_approveButton->setObjectName(QStringLiteral("approveButton"));
    m_approveButton->setAccessibleName(QStringLiteral("Approve"));
    for (QPushButton *button : {m_denyButton, m_approveButton}) {
        // Neither is the default: Enter in the reason field must never decide.
        button->setAutoDefault(false);
        button->setDefault(false);
        button->setMinimumWidth(136);
        button->setMinimumHeight(button->sizeHint().height() + 6);
    }
    connect(m_approveButton, &QPushButton::clicked, this, &ActionDetailView::onApproveClicked);
    connect(m_denyButton, &QPushButton::clicked, this, &ActionDetailView::onDenyClicked);

    auto *decide = new QHBoxLayout;
    decide->setSpacing(10);
    decide->addWidget(m_reasonEdit, 1);
    decide->addSpacing(6);
    decide->addWidget(m_denyButton);
    decide->addWidget(m_approveButton);

    auto *rule = new QFrame(bar);
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Plain);
    rule->setForegroundRole(QPalette::Mid);
    rule->setFixedHeight(1);

    auto *content = new QVBoxLayout;
    content->setContentsMargins(24, 12, 24, 16);
    content->setSpacing(8);
    content->addLayout(timeRow);
    content->addWidget(m_countdownBar);
    content->addSpacing(2);
    content->addWidget(m_effectLabel);
    content->addWidget(m_armedBand);
    content->addLayout(decide);

    auto *layout = new QVBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(rule);
    layout->addLayout(content);
    return bar;
}

QString ActionDetailView::actionId() const
{
    return m_frame ? m_frame->action.id : QString();
}

void ActionDetailView::showAction(const protocol::ActionPending &frame, const QStringList &approvedBy)
{
    const bool sameAction = m_frame && m_frame->action.id == frame.action.id;
    m_frame = frame;
    m_approvedBy = approvedBy;
    if (!sameAction) {
        m_armed = Armed::None;
        m_decisionState = DecisionState::Open;
        m_reasonEdit->clear();
        setEscalation({}, {});
    }
    const Action &action = frame.action;

    m_headline->setText(actionSummary(action));
    m_toolLabel->setText(actionToolName(action));
    m_tierBadge->setText(QStringLiteral("Tier %1 · %2").arg(action.impact.tier).arg(tierTitle(action.impact.tier)));
    m_tierBadge->setSemantic(tierSemantic(action.impact.tier));
    m_tierBadge->setFill(action.impact.tier >= 4 ? Badge::Fill::Solid : Badge::Fill::Tinted);
    m_irreversibleBadge->setVisible(action.impact.irreversible);

    clearLayout(m_categoryBadges->layout());
    for (ImpactCategory category : action.impact.categories) {
        auto *badge = new Badge(categoryTitle(category), Semantic::Neutral, m_categoryBadges);
        badge->setFill(Badge::Fill::Outline);
        m_categoryBadges->layout()->addWidget(badge);
    }

    // From the audit log the day matters too.
    const QString requested = m_historical
        ? QLocale().toString(action.createdAt.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"))
        : clockText(action.createdAt);
    m_metaLabel->setText(QStringLiteral("%1 · requested %2 · policy %3 · digest %4…")
                             .arg(displayText(action.id, kMaxIdChars), requested,
                                 displayText(action.policyVersion, 40), QString::fromLatin1(frame.digest.left(12))));
    m_metaLabel->setToolTip(plainToolTip(
        QStringLiteral("Action digest (SHA-256 of the action as published):"), QString::fromLatin1(frame.digest)));

    rebuildIdentity();
    rebuildJudges();
    m_hiddenBand->setVisible(containsHiddenCharacters(action));
    m_credentialBand->setVisible(!action.credentials.isEmpty());
    if (!action.credentials.isEmpty()) {
        QStringList lines{QStringLiteral("Credential in agent context — treat as compromised and rotate. The gateway "
                                         "redacted it before storing or showing anything:")};
        for (const CredentialFinding &finding : action.credentials) {
            lines.append(QStringLiteral("•  %1 in %2 (…%3)")
                             .arg(displayText(finding.kind, 40), displayText(finding.path, 120), displayText(finding.fingerprint, 8)));
        }
        m_credentialText->setText(lines.join(QLatin1Char('\n')));
    }

    m_ruleLabel->setText(QStringLiteral("Rule ") + displayText(action.impact.rule, kMaxIdChars));
    m_reasonWhyLabel->setText(displayText(action.impact.reason, kMaxTextChars, TextLines::Multiple));

    if (!sameAction) {
        // A look-alike of the requesting user's own domain is the classic lure.
        const QString userId = action.identity.user.id;
        const qsizetype at = userId.lastIndexOf(QLatin1Char('@'));
        m_parameters->setParameters(action.parameters, at >= 0 ? QStringList{userId.mid(at + 1)} : QStringList{});
        const EffectPreview preview = effectPreview(action);
        m_effectPreview->setPreview(preview);
        m_previewTitle->setText(preview.title.toUpper());
        m_previewTitle->setVisible(!preview.isEmpty());
        m_hasPreview = !preview.isEmpty();
        m_rawToggle->setVisible(m_hasPreview);
        m_rawToggle->setChecked(false);
        updateRawParameters();
        m_scroll->ensureVisible(0, 0);
        const QStringList warnings = m_parameters->lookalikeWarnings();
        m_lookalikeBand->setVisible(!warnings.isEmpty());
        QStringList lines;
        for (const QString &warning : warnings)
            lines.append(displayText(warning, kMaxTextChars));
        m_lookalikeText->setText(lines.join(QLatin1Char('\n')));
    }

    m_shownExpired = msLeft() <= 0;
    m_stack->setCurrentIndex(1);
    if (!m_historical) {
        m_tick.start();
        updateCountdown();
    }
    updateWidgets();
}

void ActionDetailView::setEscalation(const QString &group, const QDateTime &at)
{
    if (group.isEmpty()) {
        m_escalationBand->hide();
        m_escalationLabel->clear();
        return;
    }
    // The group is policy text from the gateway: shown like every other name, never as markup.
    QString text = QStringLiteral("Escalated to %1").arg(displayText(group, kMaxNameChars));
    if (at.isValid())
        text += QStringLiteral(" at %1").arg(clockText(at));
    m_escalationLabel->setText(text);
    m_escalationBand->setAccessibleDescription(text + QStringLiteral(". ") + m_escalationDetail->text());
    m_escalationBand->show();
}

QString ActionDetailView::escalationText() const
{
    return m_escalationBand->isHidden() ? QString() : m_escalationLabel->text();
}

void ActionDetailView::setHistorical(bool historical)
{
    m_historical = historical;
    m_decisionBar->setVisible(!historical);
    m_whyTitle->setText((historical ? QStringLiteral("Why it went to a reviewer") : QStringLiteral("Why it needs you")).toUpper());
    if (historical)
        m_tick.stop();
    updateWidgets();
}

void ActionDetailView::clearAction(bool queueEmpty, int hiddenByFilter)
{
    m_frame.reset();
    m_approvedBy.clear();
    m_armed = Armed::None;
    m_decisionState = DecisionState::Open;
    m_reasonEdit->clear();
    m_tick.stop();
    if (queueEmpty && hiddenByFilter > 0) {
        m_placeholderTitle->setText(hiddenByFilter == 1
                ? QStringLiteral("1 pending action is hidden by the filter")
                : QStringLiteral("%1 pending actions are hidden by the filter").arg(hiddenByFilter));
        m_placeholderText->setText(
            QStringLiteral("Show only Judge-flagged is on, and no pending action was flagged by a Judge. They still "
                           "need a decision before their deadlines. Press F, or click Judge-flagged only above the "
                           "queue, to show every pending action."));
    } else if (queueEmpty) {
        m_placeholderTitle->setText(QStringLiteral("Nothing is waiting for you"));
        m_placeholderText->setText(
            QStringLiteral("Actions that need a human appear in the queue as agents request them, most urgent first."));
    } else {
        m_placeholderTitle->setText(QStringLiteral("No action selected"));
        m_placeholderText->setText(
            QStringLiteral("Select an action in the queue (J and K, or the arrow keys) to review it."));
    }
    m_stack->setCurrentIndex(0);
    updateWidgets();
}

void ActionDetailView::rebuildIdentity()
{
    clearLayout(m_identityLayout);
    if (!m_frame)
        return;
    QStringList trustedDomains;
    if (const qsizetype at = m_reviewer.lastIndexOf(QLatin1Char('@')); at >= 0)
        trustedDomains.append(m_reviewer.mid(at + 1));

    int row = 0;
    const QList<IdentityLink> links = identityLinks(m_frame->action, trustedDomains);
    for (const IdentityLink &link : links) {
        const bool acting = link.role == IdentityLink::Role::ActingAgent;
        QLabel *connector = mutedLabel(m_identity, row == 0 ? QStringLiteral("●") : QStringLiteral("↳"));
        connector->setAlignment(Qt::AlignCenter);
        connector->setMinimumWidth(16);

        QLabel *name = plainLabel(m_identity);
        name->setText(link.id);
        if (acting) {
            QFont bold = name->font();
            bold.setWeight(QFont::DemiBold);
            name->setFont(bold);
        }
        name->setAccessibleName(link.roleName() + QStringLiteral(": ") + link.id);
        QLabel *detail = mutedLabel(m_identity, link.detail);
        detail->setWordWrap(true);

        QLabel *role = mutedLabel(m_identity, link.roleName());
        auto *badge = new Badge(link.verified ? QStringLiteral("verified") : QStringLiteral("claimed"),
            link.verified ? Semantic::Positive : Semantic::Warning, m_identity);
        badge->setObjectName(QStringLiteral("identityBadge"));
        badge->setFill(link.verified ? Badge::Fill::Tinted : Badge::Fill::Outline);
        badge->setToolTip(link.how);
        badge->setAccessibleDescription(link.how);

        // connector | who | as what | verified? | what they call themselves
        m_identityLayout->addWidget(connector, row, 0, Qt::AlignTop);
        m_identityLayout->addWidget(name, row, 1, Qt::AlignTop);
        m_identityLayout->addWidget(role, row, 2, Qt::AlignTop);
        m_identityLayout->addWidget(badge, row, 3, Qt::AlignLeft | Qt::AlignTop);
        m_identityLayout->addWidget(detail, row, 4, Qt::AlignTop);
        ++row;
        for (const QString &text : link.warnings) {
            QLabel *warning = plainLabel(m_identity);
            warning->setObjectName(QStringLiteral("identityWarning"));
            warning->setText(QStringLiteral("⚠ ") + text);
            warning->setWordWrap(true);
            QPalette palette = warning->palette();
            const QColor colour = semanticColor(Semantic::Warning, palette);
            // The detail body draws on Base, where a label's text role is Text.
            palette.setColor(QPalette::WindowText, colour);
            palette.setColor(QPalette::Text, colour);
            warning->setPalette(palette);
            m_identityLayout->addWidget(warning, row, 1, 1, 4, Qt::AlignTop);
            ++row;
        }
    }
    m_identityLayout->setColumnStretch(4, 1);
    m_identityLayout->setColumnMinimumWidth(3, 0);
}

void ActionDetailView::rebuildJudges()
{
    clearLayout(m_judgesLayout);
    if (!m_frame)
        return;
    const QList<JudgeVerdict> &judges = m_frame->action.judges;
    if (judges.isEmpty()) {
        m_judgesLayout->addWidget(mutedLabel(m_judges, QStringLiteral("No Judge reviewed this action.")));
        return;
    }
    for (const JudgeVerdict &verdict : judges) {
        const bool flagged = verdict.verdict == JudgeOutcome::Flag;
        auto *band = new Band(flagged ? Semantic::Warning : Semantic::Neutral, m_judges);
        band->setObjectName(flagged ? QStringLiteral("judgeFlagBand") : QStringLiteral("judgePassBand"));
        auto *bandLayout = new QVBoxLayout(band);
        bandLayout->setContentsMargins(14, 8, 12, 9);
        bandLayout->setSpacing(3);

        auto *titleRow = new QHBoxLayout;
        titleRow->setSpacing(8);
        auto *verdictBadge = new Badge(flagged ? QStringLiteral("Flagged") : QStringLiteral("Pass"),
            flagged ? Semantic::Warning : Semantic::Positive, band);
        verdictBadge->setFill(flagged ? Badge::Fill::Solid : Badge::Fill::Tinted);
        QLabel *judge = plainLabel(band);
        judge->setText(displayText(verdict.judgeId, kMaxIdChars));
        QFont judgeFont = judge->font();
        judgeFont.setWeight(QFont::DemiBold);
        judge->setFont(judgeFont);
        QLabel *facts = mutedLabel(band);
        facts->setWordWrap(true);
        QStringList factParts;
        if (!verdict.category.isEmpty())
            factParts.append(displayText(verdict.category, 60));
        factParts.append(QStringLiteral("score %1").arg(verdict.score, 0, 'f', 2));
        facts->setText(factParts.join(QStringLiteral(" · ")));
        // Who judged, and whether that is known or only said: a pass the agent wrote itself
        // proves nothing.
        auto *provenance = new Badge(verdict.verified ? QStringLiteral("signed") : QStringLiteral("unsigned"),
            verdict.verified ? Semantic::Positive : Semantic::Warning, band);
        provenance->setObjectName(QStringLiteral("judgeProvenance"));
        provenance->setFill(verdict.verified ? Badge::Fill::Tinted : Badge::Fill::Outline);
        provenance->setToolTip(verdict.verified
                ? QStringLiteral("Signed by this Judge's enrolled key for exactly this tool call.")
                : QStringLiteral("Written by the submitting agent; nothing shows this Judge said it."));
        titleRow->addWidget(verdictBadge);
        titleRow->addWidget(judge);
        titleRow->addWidget(provenance);
        titleRow->addWidget(facts, 1);
        bandLayout->addLayout(titleRow);

        if (!verdict.rationale.isEmpty()) {
            QLabel *rationale = plainLabel(band);
            rationale->setObjectName(QStringLiteral("judgeRationale"));
            rationale->setWordWrap(true);
            rationale->setText(displayText(verdict.rationale, kMaxTextChars, TextLines::Multiple));
            if (!flagged)
                rationale->setForegroundRole(QPalette::PlaceholderText);
            bandLayout->addWidget(rationale);
        }
        m_judgesLayout->addWidget(band);
    }
}

void ActionDetailView::setApprovals(int approvals, const QStringList &approvedBy)
{
    if (!m_frame)
        return;
    m_frame->approvals = approvals;
    m_approvedBy = approvedBy;
    updateWidgets();
}

void ActionDetailView::setConnectionState(GatewayConnection::State state)
{
    m_connectionState = state;
    updateWidgets();
}

void ActionDetailView::setReviewer(const QString &reviewer, protocol::Role role)
{
    m_reviewer = reviewer;
    m_role = role;
    updateWidgets();
}

void ActionDetailView::setKeyLocked(bool locked)
{
    m_keyLocked = locked;
    if (locked)
        m_armed = Armed::None;
    updateWidgets();
}

void ActionDetailView::setDecisionState(DecisionState state, protocol::Verdict verdict)
{
    m_decisionState = state;
    m_recordedVerdict = verdict;
    if (state != DecisionState::Open)
        m_armed = Armed::None;
    if (state == DecisionState::Recorded)
        m_reasonEdit->clear();
    updateWidgets();
}

qint64 ActionDetailView::msLeft() const
{
    return m_frame ? m_time.msUntil(m_frame->action.deadline) : 0;
}

bool ActionDetailView::isExpired() const
{
    return m_frame && msLeft() <= 0;
}

bool ActionDetailView::reviewerIsParty() const
{
    if (!m_frame || m_reviewer.isEmpty())
        return false;
    const IdentityContext &identity = m_frame->action.identity;
    if (identity.user.id == m_reviewer)
        return true;
    for (const AgentIdentity &agent : identity.agents) {
        if (agent.id == m_reviewer)
            return true;
    }
    return false;
}

bool ActionDetailView::decisionsPossible() const
{
    return m_frame && !isExpired() && m_connectionState == GatewayConnection::State::Connected
        && m_role == protocol::Role::Reviewer && m_decisionState == DecisionState::Open && !m_keyLocked;
}

bool ActionDetailView::canApprove() const
{
    return decisionsPossible() && !reviewerIsParty() && !m_approvedBy.contains(m_reviewer);
}

bool ActionDetailView::canDeny() const
{
    return decisionsPossible() && !reasonText().isEmpty();
}

QString ActionDetailView::reasonText() const
{
    return m_reasonEdit->text().trimmed();
}

QString ActionDetailView::blockedReason() const
{
    if (!m_frame)
        return {};
    if (isExpired())
        return QStringLiteral(
            "The deadline has passed: the gateway denies this action by timeout. Nothing can be decided.");
    switch (m_connectionState) {
    case GatewayConnection::State::Connected:
        break;
    case GatewayConnection::State::Connecting:
        return QStringLiteral("Connecting to the gateway: decisions can be sent once connected.");
    case GatewayConnection::State::Offline:
    case GatewayConnection::State::Reconnecting:
    case GatewayConnection::State::Refused:
        return QStringLiteral(
            "Not connected: decisions cannot be sent, and pending actions will be denied at their deadlines.");
    }
    if (m_role != protocol::Role::Reviewer)
        return QStringLiteral("Your role (%1) cannot decide actions; only reviewers can.").arg(protocol::roleName(m_role));
    if (m_decisionState == DecisionState::Sending)
        return QStringLiteral("Sending your decision to the gateway…");
    if (m_decisionState == DecisionState::Recorded) {
        const int missing = m_frame->action.approvalsRequired - m_frame->approvals;
        if (m_recordedVerdict == protocol::Verdict::Approve && missing > 0)
            return QStringLiteral(
                "The gateway recorded your approval. It runs only after %1 more reviewer%2 approve%3.")
                .arg(missing)
                .arg(missing == 1 ? QString() : QStringLiteral("s"))
                .arg(missing == 1 ? QStringLiteral("s") : QString());
        return QStringLiteral("The gateway recorded your decision; the action leaves the queue when it resolves.");
    }
    if (m_keyLocked)
        return QStringLiteral("Your key is locked: unlock it (Ctrl+U) to decide. Pending actions are denied at "
                              "their deadlines.");
    if (reviewerIsParty())
        return QStringLiteral("You are this action's user or one of its agents: another reviewer must decide it.");
    return {};
}

QString ActionDetailView::effectText() const
{
    if (!m_frame)
        return {};
    QString blocked = blockedReason();
    if (!blocked.isEmpty())
        return blocked;
    const Action &action = m_frame->action;
    const QString tool = actionToolName(action);
    const QString agent = displayText(action.identity.actingAgent().id, kMaxIdChars);
    const QString user = principalName(action.identity.user);

    QString approve;
    if (m_approvedBy.contains(m_reviewer)) {
        approve = QStringLiteral("Approve: you have approved; waiting for another reviewer.");
    } else if (action.approvalsRequired > 1 && m_frame->approvals + 1 < action.approvalsRequired) {
        approve = QStringLiteral(
            "Approve: records approval %1 of %2; the gateway runs %3 as %4 for %5 only when all %2 reviewers approve.")
                      .arg(m_frame->approvals + 1)
                      .arg(action.approvalsRequired)
                      .arg(tool, agent, user);
    } else {
        approve = QStringLiteral("Approve: the gateway will run %1 as %2 for %3.").arg(tool, agent, user);
    }
    const QString deny = QStringLiteral("Deny: nothing runs; %1 is told it was denied, with your reason.").arg(agent);
    return approve + QLatin1Char('\n') + deny;
}

void ActionDetailView::updateWidgets()
{
    const bool has = m_frame.has_value();
    const bool expired = isExpired();
    const bool approveOk = canApprove();
    const bool denyOk = canDeny();
    const bool open = decisionsPossible();

    if (m_armed == Armed::Approve && !approveOk)
        m_armed = Armed::None;
    if (m_armed == Armed::Deny && !open)
        m_armed = Armed::None;

    m_reasonEdit->setEnabled(
        has && !expired && m_role == protocol::Role::Reviewer && m_decisionState == DecisionState::Open);
    m_approveButton->setEnabled(approveOk);
    m_denyButton->setEnabled(denyOk);
    m_approveButton->setText(
        m_armed == Armed::Approve ? QStringLiteral("Confirm approval") : QStringLiteral("Approve"));
    m_denyButton->setText(m_armed == Armed::Deny ? QStringLiteral("Confirm denial") : QStringLiteral("Deny"));
    m_denyButton->setToolTip(
        denyOk || !open ? QStringLiteral("Deny (D, then Ctrl+Enter)") : QStringLiteral("Type a reason to deny"));
    m_approveButton->setToolTip(QStringLiteral("Approve (A, then Ctrl+Enter)"));

    m_expiredBadge->setVisible(expired && !m_historical);
    if (has) {
        const Action &action = m_frame->action;
        m_quorumBadge->setVisible(action.approvalsRequired > 1);
        m_quorumBadge->setText(m_historical
                ? QStringLiteral("needs %1 approvals").arg(action.approvalsRequired)
                : QStringLiteral("%1 of %2 approvals").arg(m_frame->approvals).arg(action.approvalsRequired));
        m_quorumLabel->setVisible(action.approvalsRequired > 1 && !m_historical);
        if (m_approvedBy.isEmpty()) {
            m_quorumLabel->setText(QStringLiteral("No approvals yet: %1 different reviewers must approve.")
                                       .arg(action.approvalsRequired));
        } else {
            QStringList names;
            for (const QString &name : std::as_const(m_approvedBy))
                names.append(name == m_reviewer ? QStringLiteral("you") : displayText(name, kMaxIdChars));
            m_quorumLabel->setText(QStringLiteral("Approved so far by %1 (%2 of %3).")
                                       .arg(names.join(QStringLiteral(", ")))
                                       .arg(m_frame->approvals)
                                       .arg(action.approvalsRequired));
        }
    } else {
        m_quorumLabel->hide();
    }

    // Armed, the notice replaces the effect line: what will happen, and how to go on or back.
    const QStringList effects = effectText().split(QLatin1Char('\n'));
    switch (m_armed) {
    case Armed::None:
        m_armedBand->hide();
        break;
    case Armed::Approve:
        m_armedBand->setSemantic(Semantic::Info);
        m_armedLabel->setText(effects.constFirst()
            + QStringLiteral("\nPress Ctrl+Enter or click Confirm approval to send it. Esc cancels."));
        m_armedBand->show();
        break;
    case Armed::Deny:
        m_armedBand->setSemantic(Semantic::Warning);
        m_armedLabel->setText(effects.constLast()
            + (denyOk ? QStringLiteral("\nPress Ctrl+Enter or click Confirm denial to send it. Esc cancels.")
                      : QStringLiteral("\nType the reason for denying, then press Ctrl+Enter. Esc cancels.")));
        m_armedBand->show();
        break;
    }
    m_effectLabel->setVisible(m_armed == Armed::None);
    m_effectLabel->setText(effectText());
}

void ActionDetailView::updateCountdown()
{
    if (!m_frame)
        return;
    const Action &action = m_frame->action;
    const qint64 left = msLeft();
    const qint64 window = action.createdAt.msecsTo(action.deadline);
    const double fraction = window > 0 ? static_cast<double>(left) / static_cast<double>(window) : 0.0;
    if (left <= 0) {
        m_countdownLabel->setText(QStringLiteral("Expired"));
        m_deadlineLabel->setText(QStringLiteral("deadline %1 · denied by timeout").arg(clockText(action.deadline)));
    } else {
        m_countdownLabel->setText(formatTimeLeft(left));
        m_deadlineLabel->setText(QStringLiteral("left · deadline %1").arg(clockText(action.deadline)));
    }
    QPalette countdownPalette = palette();
    if (left > 0 && fraction < 0.25)
        countdownPalette.setColor(QPalette::WindowText, countdownColor(fraction, palette()));
    else if (left <= 0)
        countdownPalette.setColor(QPalette::WindowText, palette().color(QPalette::Disabled, QPalette::WindowText));
    m_countdownLabel->setPalette(countdownPalette);
    m_countdownBar->setFraction(left > 0 ? fraction : 0.0);
    m_countdownLabel->setAccessibleDescription(m_countdownLabel->text() + QLatin1Char(' ') + m_deadlineLabel->text());

    const bool expired = left <= 0;
    if (expired != m_shownExpired) {
        m_shownExpired = expired;
        updateWidgets();
    }
}

void ActionDetailView::armApprove()
{
    if (!canApprove())
        return;
    m_armed = Armed::Approve;
    updateWidgets();
    m_approveButton->setFocus(Qt::ShortcutFocusReason);
}

void ActionDetailView::armDeny()
{
    if (!decisionsPossible())
        return;
    m_armed = Armed::Deny;
    updateWidgets();
    m_reasonEdit->setFocus(Qt::ShortcutFocusReason);
}

bool ActionDetailView::confirmArmed()
{
    if (!m_frame)
        return false;
    protocol::Verdict verdict;
    if (m_armed == Armed::Approve && canApprove()) {
        verdict = protocol::Verdict::Approve;
    } else if (m_armed == Armed::Deny && canDeny()) {
        verdict = protocol::Verdict::Deny;
    } else {
        if (m_armed == Armed::Deny)
            m_reasonEdit->setFocus(Qt::OtherFocusReason);
        return false;
    }
    m_armed = Armed::None;
    const QString reason = reasonText();
    Q_EMIT decisionRequested(m_frame->action.id, m_frame->digest, verdict, reason);
    updateWidgets();
    return true;
}

void ActionDetailView::cancelArmed()
{
    m_armed = Armed::None;
    updateWidgets();
}

void ActionDetailView::onApproveClicked()
{
    if (m_armed == Armed::Approve)
        confirmArmed();
    else
        armApprove();
}

void ActionDetailView::onDenyClicked()
{
    if (m_armed == Armed::Deny) {
        confirmArmed();
    } else {
        armDeny();
        m_denyButton->setFocus(Qt::OtherFocusReason);
    }
}

void ActionDetailView::updateRawParameters()
{
    m_parameters->setVisible(!m_hasPreview || m_rawToggle->isChecked());
    m_rawToggle->setText(m_rawToggle->isChecked() ? QStringLiteral("Hide raw parameters")
                                                  : QStringLiteral("Show raw parameters"));
}

bool ActionDetailView::rawParametersShown() const
{
    return m_frame && (!m_hasPreview || m_rawToggle->isChecked());
}

void ActionDetailView::toggleRawParameters()
{
    if (!m_frame || !m_hasPreview)
        return;
    m_rawToggle->toggle();
    if (m_rawToggle->isChecked())
        m_scroll->ensureWidgetVisible(m_parameters);
}

void ActionDetailView::focusContent()
{
    if (m_frame)
        m_scroll->setFocus(Qt::ShortcutFocusReason);
}

} // namespace countersign::ui
