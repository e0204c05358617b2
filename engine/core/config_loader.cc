// Placeholder: the TOML loader is being written.
#include "engine/core/config_loader.h"
