#pragma once
// Whether this build runs under AddressSanitizer, for the few places where its runtime changes
// what a process can do (RLIMIT_AS, system calls) or how long it takes.

namespace signet {

#if defined(__SANITIZE_ADDRESS__)  // GCC
inline constexpr bool built_with_address_sanitizer = true;
#elif defined(__has_feature)  // clang
#if __has_feature(address_sanitizer)
inline constexpr bool built_with_address_sanitizer = true;
#else
inline constexpr bool built_with_address_sanitizer = false;
#endif
#else
inline constexpr bool built_with_address_sanitizer = false;
#endif

}  // namespace signet
