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
