#pragma once
// A loaded and initialised PKCS#11 module (dlopen + C_GetFunctionList + C_Initialize with
// CKF_OS_LOCKING_OK); C_Finalize and dlclose on destruction. One per process.

#include <filesystem>
#include <memory>

#include <p11-kit/pkcs11.h>

#include "policy/error.hpp"

namespace signet::hsm {

class Module {
public:
    static Result<std::shared_ptr<Module>> load(const std::filesystem::path& library);
    ~Module();
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    CK_FUNCTION_LIST* functions() const { return functions_; }

private:
    Module(void* handle, CK_FUNCTION_LIST* functions) : handle_(handle), functions_(functions) {}
    void* handle_;
    CK_FUNCTION_LIST* functions_;
};

// "CKR_PIN_INCORRECT" etc. for messages.
std::string ckr_name(CK_RV rv);

}  // namespace signet::hsm
