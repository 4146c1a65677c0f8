#pragma once
// A loaded and initialised PKCS#11 module (dlopen + C_GetFunctionList + C_Initialize with
// CKF_OS_LOCKING_OK); C_Finalize and dlclose on destruction. One per process. After a device
// failure it can be re-initialised in place (C_Finalize + C_Initialize, the library stays loaded).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include <p11-kit/pkcs11.h>

#include "base/error.hpp"

namespace signet::hsm {

class Module {
public:
    static Result<std::shared_ptr<Module>> load(const std::filesystem::path& library);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    CK_FUNCTION_LIST* functions() const { return functions_; }

    // PKCS#11 v2.40 §5.4: C_Finalize while other threads of the application are making Cryptoki
    // calls is undefined, and it voids every session and object handle. So every call that a
    // re-initialisation could pull the module from under holds share(), and reinitialise() needs
    // exclusive().
    std::shared_lock<std::shared_mutex> share() const { return std::shared_lock(mutex_); }
    std::unique_lock<std::shared_mutex> exclusive() const { return std::unique_lock(mutex_); }

    // Counts re-initialisations: a session or object handle obtained in an earlier generation is
    // void (and its number may be given to a new session, so it must not even be closed). Read it
    // with share() or exclusive() held.
    std::uint64_t generation() const { return generation_; }

    // C_Finalize (if initialised) then C_Initialize on the same function list, with exclusive()
    // held by the caller. A failed C_Initialize leaves the module uninitialised; the next call
    // tries C_Initialize again.
    Status reinitialise(const std::unique_lock<std::shared_mutex>& held);

private:
    Module(void* handle, CK_FUNCTION_LIST* functions) : handle_(handle), functions_(functions) {}
    void* handle_;
    CK_FUNCTION_LIST* functions_;
    mutable std::shared_mutex mutex_;
    std::uint64_t generation_ = 0;  // guarded by mutex_
    bool initialised_ = true;       // guarded by mutex_
};

// "CKR_PIN_INCORRECT" etc. for messages.
std::string ckr_name(CK_RV rv);

}  // namespace signet::hsm
