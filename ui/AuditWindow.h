// The console without a gateway: only the audit view, for an analyst with a copy of an audit log
// (`countersign --audit-log PATH` without --gateway). No reviewer key is needed: nothing is
// signed or decided here, and the file is only read.
#pragma once

#include "core/crypto/Ed25519.h"

#include <optional>

#include <QMainWindow>

namespace countersign::ui {

class AuditBrowserView;

class AuditWindow final : public QMainWindow {
    Q_OBJECT

public:
    explicit AuditWindow(QWidget *parent = nullptr);
    ~AuditWindow() override;
    Q_DISABLE_COPY_MOVE(AuditWindow)

    [[nodiscard]] AuditBrowserView *auditView() const { return m_audit; }
    void openAuditLog(const QString &path);
    void setGatewayKey(const std::optional<crypto::Ed25519PublicKey> &key);
    void showShortcuts();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    AuditBrowserView *m_audit = nullptr;
};

} // namespace countersign::ui
