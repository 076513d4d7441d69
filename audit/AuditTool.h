// countersign-audit, the analysts' command line over an audit log file: verify, export, prove
// inclusion and consistency, and show the latest checkpoint. The executable's main() only calls
// run(); everything else lives here so tests can read it.
#pragma once

#include <QStringList>

namespace countersign::audittool {

// Exit codes, also in --help and docs/audit.md.
enum ExitCode : int {
    ExitOk = 0,
    ExitVerificationFailed = 1, // the log is not what it claims; the first bad entry is named
    ExitUsage = 2,
    ExitFileProblem = 3,        // missing, unreadable or not an audit log
};

// arguments without the program name. Writes results to stdout, errors and progress to stderr.
[[nodiscard]] int run(const QStringList &arguments);

} // namespace countersign::audittool
