// The console's compiled-in resources (icons), which live in a static library and so must be
// registered explicitly before first use.
#pragma once

#include <QIcon>

namespace countersign::ui {

// Registers the resources; safe to call more than once.
void initResources();
// The application icon (io.countersign.Countersign), drawn as SVG for every DPI.
[[nodiscard]] QIcon appIcon();

} // namespace countersign::ui
