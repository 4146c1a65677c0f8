#include "revocation/distribution_points.hpp"

#include <openssl/x509v3.h>

#include "http_client/http_client.hpp"
#include "revocation/revocation_ptr.hpp"

namespace signet::revocation {

std::vector<std::string> ocsp_urls(X509* cert) {
    std::vector<std::string> urls;
    StringStack found(X509_get1_ocsp(cert));
    if (!found) return urls;
    for (int i = 0; i < sk_OPENSSL_STRING_num(found.get()); ++i) {
        const std::string url = sk_OPENSSL_STRING_value(found.get(), i);
        if (http_client::is_http_url(url)) urls.push_back(url);
    }
    return urls;
}

std::vector<std::string> crl_urls(X509* cert) {
    std::vector<std::string> urls;
    DistPoints points(static_cast<CRL_DIST_POINTS*>(
        X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr)));
    if (!points) return urls;
    for (int i = 0; i < sk_DIST_POINT_num(points.get()); ++i) {
        const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
        // A partitioned (reasons) or indirect (cRLIssuer) CRL would need checks we do not make.
        if (point->reasons != nullptr || point->CRLissuer != nullptr) continue;
        if (point->distpoint == nullptr || point->distpoint->type != 0) continue;  // fullName
        const GENERAL_NAMES* names = point->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
            const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
            if (name->type != GEN_URI) continue;
            const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
            const std::string url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                  static_cast<std::size_t>(ASN1_STRING_length(uri)));
            if (http_client::is_http_url(url)) urls.push_back(url);
        }
    }
    return urls;
}

}  // namespace signet::revocation
