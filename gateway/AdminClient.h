// The `countersign-gateway admin …` command line: a client of the gateway's control plane over
// TLS pinned to the gateway's certificate, with the admin token taken from the environment
// (COUNTERSIGN_ADMIN_TOKEN) or a file descriptor (--token-fd), never from argv.
//
//   countersign-gateway admin [--url https://127.0.0.1:PORT] [--pin SHA256-HEX]
//                             [--ready-file FILE] [--token-fd N] <command>
//     reviewers list
//     reviewers add --id ID --role reviewer|analyst --key FILE --why TEXT   (FILE: JWK or PEM)
//     reviewers revoke ID --why TEXT
//     agents list
//     agents add --id ID --tools a.b,c.d --why TEXT      (prints the new agent's token once)
//     agents revoke ID --why TEXT
//     policy show
//     policy set FILE --why TEXT                         (FILE: {"version", "rules"})
//     changes
//
// Lists are JSON on stdout; errors go to stderr with the gateway's error code.
#pragma once

#include <QStringList>

namespace countersign::gateway {

enum AdminExitCode : int {
    AdminOk = 0,
    AdminRefused = 1,    // the gateway answered with an error (its code is printed)
    AdminUsage = 2,      // bad command line, unreadable input file, no token
    AdminConnection = 3, // cannot connect, TLS failure, certificate does not match the pin
};

// Runs one admin command; arguments are those after "admin". Needs a QCoreApplication (it runs
// the event loop while waiting for the gateway). Returns an AdminExitCode.
[[nodiscard]] int runAdminCommand(const QStringList &arguments);

} // namespace countersign::gateway
