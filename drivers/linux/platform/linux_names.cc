// Linux's derived names; see linux_names.h.
#include "drivers/linux/platform/linux_names.h"

namespace berth::reconciler::linux_res {

std::string VmNetnsName(std::string_view vm) { return std::string(kNetnsPrefix) + std::string(vm); }

}  // namespace berth::reconciler::linux_res
