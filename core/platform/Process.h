// Process-level set-up shared by every executable: clean shutdown on SIGINT/SIGTERM and
// hardening against leaking secrets through core dumps.
#pragma once

#include "core/Result.h"

namespace countersign::platform {

// Makes SIGINT and SIGTERM quit the running QCoreApplication's event loop from the loop
// itself (the handler only writes to a pipe: nothing unsafe runs inside a signal handler).
// Call after the application object exists. exitCode is 128 + the signal number.
void quitOnTerminationSignals();

// No core dumps and (on Linux) no ptrace attach by other processes of the same user, so a
// crash or a curious process cannot read keys or decisions out of memory.
void hardenProcess();

// Known-answer self-tests of the cryptography every executable relies on. An executable whose
// crypto does not reproduce the RFC vectors must refuse to start ("crypto.self_test").
[[nodiscard]] Status runSelfTests();

} // namespace countersign::platform
