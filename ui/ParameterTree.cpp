// The parameter tree of the detail view.
#include "ui/ParameterTree.h"

#include "core/json/Json.h"
#include "core/redaction/Redaction.h"
#include "core/text/Spoofing.h"
#include "core/text/DisplayText.h"
#include "models/SemanticColors.h"

#include <QDialog>
#include <QRegularExpression>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

// Longer values are prose, where a word in another script is ordinary, not a disguised name.
constexpr qsizetype kMaxCheckedNameChars = 64;

// Rows a little taller than the font, so a dense tree stays readable.
class RoomyRowsDelegate final : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        return QStyledItemDelegate::sizeHint(option, index) + QSize(0, 8);
    }
};

QString scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::fromLatin1(json::formatNumber(value.toDouble()));
    case QJsonValue::String:
        return value.toString();
    default:
        return {};
    }
}

QString containerSummary(const QJsonValue &value)
{
    if (value.isArray()) {
        const auto n = value.toArray().size();
        return n == 1 ? QStringLiteral("[1 item]") : QStringLiteral("[%1 items]").arg(n);
    }
    const auto n = value.toObject().size();
    return n == 1 ? QStringLiteral("{1 field}") : QStringLiteral("{%1 fields}").arg(n);
}

} // namespace

ParameterTree::ParameterTree(QWidget *parent) : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("parametersTree"));
    setAccessibleName(QStringLiteral("Parameters"));
    setColumnCount(2);
    setHeaderLabels({QStringLiteral("Field"), QStringLiteral("Value")});
    setRootIsDecorated(true);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setTextElideMode(Qt::ElideRight);
    setWordWrap(false);
    setAlternatingRowColors(false);
    setItemDelegate(new RoomyRowsDelegate(this));
    header()->setStretchLastSection(true);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setMaximumSectionSize(320);
    connect(this, &QTreeWidget::itemActivated, this, [this] { showWholeValue(); });
}

void ParameterTree::setParameters(const QJsonObject &parameters, const QStringList &trustedDomains)
{
    clear();
    m_items = 0;
    m_trusted = trustedDomains;
    m_lookalikes.clear();
    // The gateway redacts before it publishes; the console redacts again before it shows, so a
    // credential never reaches a widget (or the clipboard) even from a gateway that did not.
    const QJsonObject shown = redaction::redactJson(parameters).toObject();
    QStringList keys = shown.keys();
    for (const QString &key : std::as_const(keys))
        addValue(nullptr, key, shown.value(key));
    expandAll();

    // As tall as its rows, up to a limit past which it scrolls by itself.
    const int rows = qMax(1, m_items);
    const int content = header()->sizeHint().height() + rows * rowHeight() + 2 * frameWidth() + 2;
    setFixedHeight(qBound(rowHeight() * 3, content, rowHeight() * 16));
}

int ParameterTree::rowHeight() const
{
    return qMax(fontMetrics().height(), iconSize().height()) + 8 + 2;
}

void ParameterTree::addValue(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value)
{
    if (m_items >= kMaxItems)
        return;
    ++m_items;
    auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(this);
    item->setText(0, displayText(key, kMaxKeyChars));
    if (hasHiddenCharacters(key))
        item->setForeground(0, semanticColor(Semantic::Warning, palette()));

    if (value.isObject() || value.isArray()) {
        item->setText(1, containerSummary(value));
        item->setForeground(1, palette().color(QPalette::PlaceholderText));
        if (value.isObject()) {
            const QJsonObject object = value.toObject();
            const QStringList keys = object.keys();
            for (const QString &childKey : keys)
                addValue(item, childKey, object.value(childKey));
        } else {
            const QJsonArray array = value.toArray();
            for (qsizetype i = 0; i < array.size(); ++i)
                addValue(item, QStringLiteral("[%1]").arg(i), array.at(i));
        }
        return;
    }

    const QString raw = scalarText(value);
    const QString shown = displayText(raw, kMaxValueChars);
    item->setText(1, shown);
    item->setData(1, RawValueRole, raw);
    const bool hidden = hasHiddenCharacters(raw);
    item->setData(1, HiddenCharactersRole, hidden);
    if (hidden) {
        // Made-visible characters must stand out: they are how a payload hides from a reader.
        item->setForeground(1, semanticColor(Semantic::Warning, palette()));
        item->setToolTip(1,
            plainToolTip(QStringLiteral("Contains invisible or direction-changing characters, shown as escapes:"), raw,
                kMaxToolTipChars));
    } else if (shown.size() != raw.size()) {
        item->setToolTip(1,
            plainToolTip(QStringLiteral("%1 characters; press Enter or double-click to see it whole:")
                             .arg(QLocale().toString(raw.size())),
                raw, kMaxToolTipChars));
    }
    if (value.isString() && raw.isEmpty())
        item->setText(1, QStringLiteral("(empty)"));
    if (value.isString())
        markLookalikes(item, raw);
}

void ParameterTree::markLookalikes(QTreeWidgetItem *item, const QString &value)
{
    // Domains a reviewer reads in this value: of e-mail addresses, of URLs, or the value itself.
    static const QRegularExpression domains(QStringLiteral(
        "[^\\s@<>\"',;:]+@([^\\s@<>\"',;:/]+)|[A-Za-z][A-Za-z0-9+.-]*://(?:[^/\\s@]*@)?([^/\\s:@?#]+)|^([^\\s/@:]+\\.[^\\s/@:]+)$"));
    QStringList warnings;
    auto it = domains.globalMatch(value.left(kMaxToolTipChars * 4));
    while (it.hasNext() && warnings.size() < 8) {
        const QRegularExpressionMatch match = it.next();
        QString domain;
        for (int group = 1; group <= 3 && domain.isEmpty(); ++group)
            domain = match.captured(group);
        const DomainCheck check = checkDomain(domain, m_trusted);
        if (check.suspicious() && !warnings.contains(check.warning()))
            warnings.append(check.warning());
    }
    // A short value with no domain in it may be a name (an account, a beneficiary, a user):
    // one that mixes scripts or digit sets is marked the same way.
    if (warnings.isEmpty() && value.size() <= kMaxCheckedNameChars) {
        if (const QString warning = nameWarning(value); !warning.isEmpty())
            warnings.append(warning);
    }
    if (warnings.isEmpty())
        return;
    item->setForeground(1, semanticColor(Semantic::Danger, palette()));
    item->setToolTip(1, plainToolTip(QStringLiteral("Look-alike:"), warnings.join(QLatin1Char('\n')), kMaxToolTipChars));
    for (const QString &warning : std::as_const(warnings)) {
        if (!m_lookalikes.contains(warning))
            m_lookalikes.append(warning);
    }
}

void ParameterTree::showWholeValue()
{
    const QTreeWidgetItem *item = currentItem();
    if (!item || !item->data(1, RawValueRole).isValid())
        return;
    const QString raw = item->data(1, RawValueRole).toString();

    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("wholeValueDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QStringLiteral("Parameter value"));
    auto *caption = new QLabel(dialog);
    caption->setTextFormat(Qt::PlainText);
    caption->setText(
        QStringLiteral("%1 — %2 characters. Invisible and direction-changing characters are shown as ⟨U+XXXX⟩.")
            .arg(item->text(0), QLocale().toString(raw.size())));
    caption->setWordWrap(true);
    auto *text = new QPlainTextEdit(dialog);
    text->setObjectName(QStringLiteral("wholeValueText"));
    text->setReadOnly(true);
    text->setPlainText(displayText(raw, 0, TextLines::Multiple));
    text->setAccessibleName(QStringLiteral("Whole value"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(caption);
    layout->addWidget(text, 1);
    layout->addWidget(buttons);
    dialog->resize(640, 420);
    dialog->open();
}

} // namespace countersign::ui
