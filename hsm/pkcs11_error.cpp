#include "hsm/pkcs11_error.hpp"

#include <string>

#include "hsm/module.hpp"

namespace signet::hsm {

Errc errc_for(CK_RV rv) {
    switch (rv) {
        // The module says our call or our template was wrong: nothing an operator can fix.
        case CKR_ARGUMENTS_BAD:
        case CKR_ATTRIBUTE_READ_ONLY:
        case CKR_ATTRIBUTE_SENSITIVE:
        case CKR_ATTRIBUTE_TYPE_INVALID:
        case CKR_ATTRIBUTE_VALUE_INVALID:
        case CKR_TEMPLATE_INCOMPLETE:
        case CKR_TEMPLATE_INCONSISTENT:
        case CKR_MECHANISM_PARAM_INVALID:
        case CKR_OPERATION_NOT_INITIALIZED:
        case CKR_BUFFER_TOO_SMALL:
        case CKR_DATA_INVALID:
        case CKR_DATA_LEN_RANGE:
        case CKR_KEY_TYPE_INCONSISTENT:
        case CKR_KEY_FUNCTION_NOT_PERMITTED:
        case CKR_SESSION_READ_ONLY:
        case CKR_USER_TYPE_INVALID:
            return Errc::internal;
        default:
            return Errc::unavailable;
    }
}

Error ck_error(std::string_view what, CK_RV rv) {
    return Error{errc_for(rv), std::string(what) + ": " + ckr_name(rv)};
}

Fault fault_of(CK_RV rv) {
    switch (rv) {
        // §5.1.3: the handle no longer names a session (closed by C_CloseAllSessions, by another
        // thread, or by the token). CKR_USER_NOT_LOGGED_IN: §5.6, the login belongs to the
        // application and ends when its last session closes or someone calls C_Logout.
        case CKR_SESSION_HANDLE_INVALID:
        case CKR_SESSION_CLOSED:
        case CKR_USER_NOT_LOGGED_IN:
            return Fault::session;
        // §5.1.1 and §5.1.2: the device, the token in the slot or the library itself failed;
        // nothing that used it before can be trusted, the module is re-initialised (§5.4).
        case CKR_DEVICE_ERROR:
        case CKR_DEVICE_MEMORY:
        case CKR_DEVICE_REMOVED:
        case CKR_TOKEN_NOT_PRESENT:
        case CKR_TOKEN_NOT_RECOGNIZED:
        case CKR_SLOT_ID_INVALID:
        case CKR_CRYPTOKI_NOT_INITIALIZED:
        case CKR_GENERAL_ERROR:
            return Fault::token;
        // §5.1.7: a locked or expired PIN needs the security officer; a wrong one needs the
        // operator. Retrying would only count down the token's remaining tries.
        case CKR_PIN_INCORRECT:
        case CKR_PIN_INVALID:
        case CKR_PIN_LEN_RANGE:
        case CKR_PIN_EXPIRED:
        case CKR_PIN_LOCKED:
            return Fault::pin;
        default:
            return Fault::none;
    }
}

bool session_lost(CK_RV rv) {
    switch (rv) {
        case CKR_SESSION_HANDLE_INVALID:
        case CKR_SESSION_CLOSED:
        case CKR_DEVICE_ERROR:
        case CKR_DEVICE_REMOVED:
        case CKR_TOKEN_NOT_PRESENT:
        case CKR_GENERAL_ERROR:  // §5.1.1: "some horrible, unrecoverable error"
        case CKR_OPERATION_ACTIVE:
            return true;
        default:
            return false;
    }
}

}  // namespace signet::hsm
