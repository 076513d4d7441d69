// The gateway's logging category. Log lines carry ids, tool names, statuses and error codes
// only: nothing an agent sent as free text (parameters, names, reasons) reaches a log.
#pragma once

#include <QLoggingCategory>

namespace countersign::gateway {
Q_DECLARE_LOGGING_CATEGORY(lcGateway)
} // namespace countersign::gateway
