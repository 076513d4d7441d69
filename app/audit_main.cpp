// countersign-audit: the analysts' command line over an audit log (verify, export, proofs).
#include "audit/AuditTool.h"
#include "core/platform/Process.h"

#include <cstdio>

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    countersign::platform::hardenProcess();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("countersign-audit"));
    QCoreApplication::setApplicationVersion(QStringLiteral(COUNTERSIGN_VERSION));
    if (const countersign::Status selfTests = countersign::platform::runSelfTests(); !selfTests) {
        std::fprintf(stderr, "countersign-audit: refusing to run: %s\n", qPrintable(selfTests.error().message));
        return countersign::audittool::ExitVerificationFailed;
    }
    return countersign::audittool::run(QCoreApplication::arguments().mid(1));
}
