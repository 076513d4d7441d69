// Registration of the console's compiled-in resources.
#include "ui/Resources.h"

#include <QDir>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initCountersignResources()
{
    Q_INIT_RESOURCE(countersign);
}

namespace countersign::ui {

void initResources()
{
    static const bool once = [] {
        initCountersignResources();
        return true;
    }();
    Q_UNUSED(once);
}

QIcon appIcon()
{
    initResources();
    return QIcon(QStringLiteral(":/icons/io.countersign.Countersign.svg"));
}

} // namespace countersign::ui
