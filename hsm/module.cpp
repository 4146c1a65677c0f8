#include "hsm/module.hpp"

#include <dlfcn.h>

#include <array>
#include <string>
#include <utility>

#include "hsm/pkcs11_error.hpp"

namespace signet::hsm {

namespace {

struct DlCloser {
    void operator()(void* handle) const { dlclose(handle); }
};
using DlHandle = std::unique_ptr<void, DlCloser>;

std::string dl_error_text() {
    const char* text = dlerror();
    return text != nullptr ? std::string(text) : std::string("unknown dynamic loader error");
}

struct CkrEntry {
    CK_RV rv;
    const char* name;
};

#define SIGNET_CKR(name) \
    CkrEntry { name, #name }
constexpr std::array ckr_table{
    SIGNET_CKR(CKR_OK),
    SIGNET_CKR(CKR_CANCEL),
    SIGNET_CKR(CKR_HOST_MEMORY),
    SIGNET_CKR(CKR_SLOT_ID_INVALID),
    SIGNET_CKR(CKR_GENERAL_ERROR),
    SIGNET_CKR(CKR_FUNCTION_FAILED),
    SIGNET_CKR(CKR_ARGUMENTS_BAD),
    SIGNET_CKR(CKR_NO_EVENT),
    SIGNET_CKR(CKR_NEED_TO_CREATE_THREADS),
    SIGNET_CKR(CKR_CANT_LOCK),
    SIGNET_CKR(CKR_ATTRIBUTE_READ_ONLY),
    SIGNET_CKR(CKR_ATTRIBUTE_SENSITIVE),
    SIGNET_CKR(CKR_ATTRIBUTE_TYPE_INVALID),
    SIGNET_CKR(CKR_ATTRIBUTE_VALUE_INVALID),
    SIGNET_CKR(CKR_ACTION_PROHIBITED),
    SIGNET_CKR(CKR_DATA_INVALID),
    SIGNET_CKR(CKR_DATA_LEN_RANGE),
    SIGNET_CKR(CKR_DEVICE_ERROR),
    SIGNET_CKR(CKR_DEVICE_MEMORY),
    SIGNET_CKR(CKR_DEVICE_REMOVED),
    SIGNET_CKR(CKR_ENCRYPTED_DATA_INVALID),
    SIGNET_CKR(CKR_ENCRYPTED_DATA_LEN_RANGE),
    SIGNET_CKR(CKR_FUNCTION_CANCELED),
    SIGNET_CKR(CKR_FUNCTION_NOT_PARALLEL),
    SIGNET_CKR(CKR_FUNCTION_NOT_SUPPORTED),
    SIGNET_CKR(CKR_KEY_HANDLE_INVALID),
    SIGNET_CKR(CKR_KEY_SIZE_RANGE),
    SIGNET_CKR(CKR_KEY_TYPE_INCONSISTENT),
    SIGNET_CKR(CKR_KEY_NOT_NEEDED),
    SIGNET_CKR(CKR_KEY_CHANGED),
    SIGNET_CKR(CKR_KEY_NEEDED),
    SIGNET_CKR(CKR_KEY_INDIGESTIBLE),
    SIGNET_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED),
    SIGNET_CKR(CKR_KEY_NOT_WRAPPABLE),
    SIGNET_CKR(CKR_KEY_UNEXTRACTABLE),
    SIGNET_CKR(CKR_MECHANISM_INVALID),
    SIGNET_CKR(CKR_MECHANISM_PARAM_INVALID),
    SIGNET_CKR(CKR_OBJECT_HANDLE_INVALID),
    SIGNET_CKR(CKR_OPERATION_ACTIVE),
    SIGNET_CKR(CKR_OPERATION_NOT_INITIALIZED),
    SIGNET_CKR(CKR_PIN_INCORRECT),
    SIGNET_CKR(CKR_PIN_INVALID),
    SIGNET_CKR(CKR_PIN_LEN_RANGE),
    SIGNET_CKR(CKR_PIN_EXPIRED),
    SIGNET_CKR(CKR_PIN_LOCKED),
    SIGNET_CKR(CKR_SESSION_CLOSED),
    SIGNET_CKR(CKR_SESSION_COUNT),
    SIGNET_CKR(CKR_SESSION_HANDLE_INVALID),
    SIGNET_CKR(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
    SIGNET_CKR(CKR_SESSION_READ_ONLY),
    SIGNET_CKR(CKR_SESSION_EXISTS),
    SIGNET_CKR(CKR_SESSION_READ_ONLY_EXISTS),
    SIGNET_CKR(CKR_SESSION_READ_WRITE_SO_EXISTS),
    SIGNET_CKR(CKR_SIGNATURE_INVALID),
    SIGNET_CKR(CKR_SIGNATURE_LEN_RANGE),
    SIGNET_CKR(CKR_TEMPLATE_INCOMPLETE),
    SIGNET_CKR(CKR_TEMPLATE_INCONSISTENT),
    SIGNET_CKR(CKR_TOKEN_NOT_PRESENT),
    SIGNET_CKR(CKR_TOKEN_NOT_RECOGNIZED),
    SIGNET_CKR(CKR_TOKEN_WRITE_PROTECTED),
    SIGNET_CKR(CKR_UNWRAPPING_KEY_HANDLE_INVALID),
    SIGNET_CKR(CKR_UNWRAPPING_KEY_SIZE_RANGE),
    SIGNET_CKR(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT),
    SIGNET_CKR(CKR_USER_ALREADY_LOGGED_IN),
    SIGNET_CKR(CKR_USER_NOT_LOGGED_IN),
    SIGNET_CKR(CKR_USER_PIN_NOT_INITIALIZED),
    SIGNET_CKR(CKR_USER_TYPE_INVALID),
    SIGNET_CKR(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
    SIGNET_CKR(CKR_USER_TOO_MANY_TYPES),
    SIGNET_CKR(CKR_WRAPPED_KEY_INVALID),
    SIGNET_CKR(CKR_WRAPPED_KEY_LEN_RANGE),
    SIGNET_CKR(CKR_WRAPPING_KEY_HANDLE_INVALID),
    SIGNET_CKR(CKR_WRAPPING_KEY_SIZE_RANGE),
    SIGNET_CKR(CKR_WRAPPING_KEY_TYPE_INCONSISTENT),
    SIGNET_CKR(CKR_RANDOM_SEED_NOT_SUPPORTED),
    SIGNET_CKR(CKR_RANDOM_NO_RNG),
    SIGNET_CKR(CKR_DOMAIN_PARAMS_INVALID),
    SIGNET_CKR(CKR_CURVE_NOT_SUPPORTED),
    SIGNET_CKR(CKR_BUFFER_TOO_SMALL),
    SIGNET_CKR(CKR_SAVED_STATE_INVALID),
    SIGNET_CKR(CKR_INFORMATION_SENSITIVE),
    SIGNET_CKR(CKR_STATE_UNSAVEABLE),
    SIGNET_CKR(CKR_CRYPTOKI_NOT_INITIALIZED),
    SIGNET_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED),
    SIGNET_CKR(CKR_MUTEX_BAD),
    SIGNET_CKR(CKR_MUTEX_NOT_LOCKED),
    SIGNET_CKR(CKR_NEW_PIN_MODE),
    SIGNET_CKR(CKR_NEXT_OTP),
    SIGNET_CKR(CKR_EXCEEDED_MAX_ITERATIONS),
    SIGNET_CKR(CKR_FIPS_SELF_TEST_FAILED),
    SIGNET_CKR(CKR_LIBRARY_LOAD_FAILED),
    SIGNET_CKR(CKR_PIN_TOO_WEAK),
    SIGNET_CKR(CKR_PUBLIC_KEY_INVALID),
    SIGNET_CKR(CKR_FUNCTION_REJECTED),
};
#undef SIGNET_CKR

std::string hex(CK_RV rv) {
    constexpr char digits[] = "0123456789ABCDEF";
    std::string text;
    do {
        text.insert(text.begin(), digits[rv & 0xFU]);
        rv >>= 4U;
    } while (rv != 0);
    return "0x" + text;
}

// §5.4 C_Initialize: CKF_OS_LOCKING_OK with no mutex callbacks lets the module use the operating
// system's locks, which it needs because signatures run on several threads.
CK_RV initialize(CK_FUNCTION_LIST* functions) {
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    args.pReserved = nullptr;
    return functions->C_Initialize(&args);
}

}  // namespace

std::string ckr_name(CK_RV rv) {
    for (const auto& entry : ckr_table) {
        if (entry.rv == rv) return entry.name;
    }
    // §3.6 (CK_RV): values from CKR_VENDOR_DEFINED up belong to the module's vendor.
    if (rv >= CKR_VENDOR_DEFINED) return "CKR_VENDOR_DEFINED+" + hex(rv - CKR_VENDOR_DEFINED);
    return "CKR " + hex(rv);
}

Result<std::shared_ptr<Module>> Module::load(const std::filesystem::path& library) {
    const std::string name = library.string();
    // RTLD_NOW: a module with a missing symbol fails here, at start-up, and not in the middle of
    // a signature. RTLD_LOCAL: its symbols (SoftHSM brings its own copies of common names) must
    // not satisfy lookups of other libraries in the process.
    dlerror();
    DlHandle handle(dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL));
    if (!handle) {
        return fail(Errc::invalid_config,
                    "loading PKCS#11 module " + name + ": " + dl_error_text());
    }
    void* symbol = dlsym(handle.get(), "C_GetFunctionList");
    if (symbol == nullptr) {
        return fail(Errc::invalid_config,
                    "loading PKCS#11 module " + name +
                        ": it has no C_GetFunctionList, so it is not a PKCS#11 module");
    }
    // POSIX guarantees that dlsym's object pointer converts to the function's pointer type.
    const auto get_function_list = reinterpret_cast<CK_C_GetFunctionList>(symbol);
    CK_FUNCTION_LIST* functions = nullptr;
    if (const CK_RV rv = get_function_list(&functions); rv != CKR_OK || functions == nullptr) {
        return std::unexpected(Error{
            Errc::invalid_config,
            "loading PKCS#11 module " + name + ": C_GetFunctionList failed: " + ckr_name(rv)});
    }

    if (const CK_RV rv = initialize(functions); rv != CKR_OK) {
        if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) {
            // Someone else in this process owns the module's initialisation (another Module,
            // or a library such as libp11 or NSS). Sharing it would let their C_Finalize pull
            // the module from under our sessions, so we refuse rather than tolerate it.
            return fail(Errc::internal,
                        "initialising PKCS#11 module " + name +
                            ": CKR_CRYPTOKI_ALREADY_INITIALIZED (the module is already in use in "
                            "this process; signet allows one Module per process)");
        }
        return std::unexpected(ck_error("initialising PKCS#11 module " + name, rv));
    }

    // Module's constructor is private so that a Module always holds an initialised module; a
    // local class derived from it reaches that constructor and still lets make_shared allocate.
    struct Loaded : Module {
        Loaded(void* h, CK_FUNCTION_LIST* f) : Module(h, f) {}
    };
    return std::make_shared<Loaded>(handle.release(), functions);
}

Status Module::reinitialise(const std::unique_lock<std::shared_mutex>& held) {
    if (held.mutex() != &mutex_ || !held.owns_lock()) {
        return fail(Errc::internal, "re-initialising the PKCS#11 module: the caller does not hold it exclusively");
    }
    if (initialised_) {
        // §5.4 C_Finalize: a device that failed may fail this too; the module is finalised as
        // far as it can be either way, and C_Initialize below says whether it works again.
        static_cast<void>(functions_->C_Finalize(nullptr));
        initialised_ = false;
        ++generation_;
    }
    const CK_RV rv = initialize(functions_);
    if (rv != CKR_OK) return std::unexpected(ck_error("re-initialising the PKCS#11 module (C_Initialize)", rv));
    initialised_ = true;
    return {};
}

Module::~Module() {
    // §5.4 C_Finalize: nothing useful can be done with a failure while shutting down, and the
    // library must be finalised before it is unmapped.
    if (initialised_) static_cast<void>(functions_->C_Finalize(nullptr));
    dlclose(handle_);
}

}  // namespace signet::hsm
