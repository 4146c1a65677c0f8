# The modules of signet and the only dependencies allowed between them: the one place to read
# or change the architecture. tests/architecture/check_layers.cmake (CTest architecture_layers)
# includes this file after tests/architecture/signet_layer.cmake, which defines the commands.
#
# signet_layer(<module> FOLDERS <folder>... DEPENDS <module>... FORBID <regex>...)
#   <module>  its library targets are signet_<module> and signet_<module>_<suffix>.
#   FOLDERS   relative to the repository root. A file belongs to the module whose folder is
#             the longest prefix of its path, so pdf/worker/ is pdf_worker, not pdf.
#   DEPENDS   the modules it uses directly. Its files may include headers of, and its
#             CMakeLists.txt may link, itself and every module reachable through DEPENDS.
#   FORBID    regexes of header names (the text inside #include <...> or "...") that its files
#             must never include: the external libraries that belong to other modules.
#             Anchored with ^ so that a module header such as "hsm/pkcs11_error.hpp" is judged
#             by DEPENDS, not mistaken for the library.

# No module may include a test header: tests depend on modules, never the other way round.
signet_forbid_everywhere("^tests/")

signet_layer(base FOLDERS base FORBID "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^toml" "^libpq")
signet_layer(config FOLDERS config DEPENDS base FORBID "^openssl/" "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^libpq")
signet_layer(policy FOLDERS policy DEPENDS base FORBID "^openssl/" "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^libpq")
# SQLite and libpq belong to store/: no module above it knows which backend it has (issue 23).
signet_layer(store FOLDERS store DEPENDS base config FORBID "^openssl/" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^toml")
signet_layer(hsm FOLDERS hsm hsm/token DEPENDS base FORBID "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^toml" "^libpq")
signet_layer(cms FOLDERS cms DEPENDS base FORBID "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^toml" "^libpq")
signet_layer(http_client FOLDERS http_client DEPENDS base FORBID "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^toml" "^libpq")
# libcurl belongs to http_client: the modules that speak HTTP as clients go through it.
signet_layer(timestamp FOLDERS timestamp DEPENDS base cms http_client FORBID "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^toml" "^curl/" "^libpq")
signet_layer(revocation FOLDERS revocation DEPENDS base http_client FORBID "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^toml" "^curl/" "^libpq")
# The AcroForm's fields and the visible box; the logo comes decoded from image/.
signet_layer(pdf_form FOLDERS pdf/form DEPENDS base image FORBID "^sqlite3" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^openssl/" "^png" "^jpeglib" "^libpq")
signet_layer(image FOLDERS image DEPENDS base FORBID "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^toml" "^curl/" "^openssl/" "^libpq")
signet_layer(pdf FOLDERS pdf DEPENDS base cms pdf_form FORBID "^sqlite3" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^libpq")
signet_layer(pdf_ltv FOLDERS pdf/ltv DEPENDS base pdf FORBID "^sqlite3" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^libpq")
signet_layer(validation FOLDERS validation DEPENDS base cms revocation timestamp pdf_ltv FORBID "^sqlite3" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^toml" "^curl/" "^podofo/" "^libpq")
signet_layer(pdf_worker FOLDERS pdf/worker DEPENDS base pdf pdf_ltv FORBID "^sqlite3" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^libpq")
signet_layer(audit FOLDERS audit DEPENDS base store FORBID "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^sqlite3" "^libpq")
signet_layer(telemetry FOLDERS telemetry DEPENDS base FORBID "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^libpq")
signet_layer(json FOLDERS json DEPENDS base FORBID "^openssl/" "^sqlite3" "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^libpq")
signet_layer(register FOLDERS register DEPENDS base store policy audit json FORBID "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^sqlite3" "^libpq")
signet_layer(keys FOLDERS keys DEPENDS base config store policy hsm pdf timestamp audit telemetry json FORBID "^podofo/" "^boost/asio" "^boost/beast" "^sqlite3" "^libpq")
signet_layer(persons FOLDERS persons DEPENDS base config store hsm audit json keys FORBID "^podofo/" "^boost/asio" "^boost/beast" "^sqlite3" "^libpq")
# Guests (issue 22): invitations, their one-time codes and one-time keys; jobs/ runs the co-signature.
signet_layer(guests FOLDERS guests DEPENDS base config store hsm audit json keys register FORBID "^podofo/" "^boost/asio" "^boost/beast" "^curl/" "^sqlite3" "^libpq")
signet_layer(evidence FOLDERS evidence DEPENDS base config store keys revocation pdf pdf_ltv pdf_worker FORBID "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^curl/" "^sqlite3" "^libpq")
signet_layer(jobs FOLDERS jobs jobs/cosign DEPENDS base config policy store hsm pdf pdf_worker pdf_ltv timestamp revocation audit telemetry register keys persons guests evidence json FORBID "^podofo/" "^boost/asio" "^boost/beast" "^sqlite3" "^libpq")
signet_layer(archive FOLDERS archive DEPENDS base config store keys jobs evidence validation pdf pdf_ltv pdf_worker timestamp audit json FORBID "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^curl/" "^sqlite3" "^libpq")
# POST /v1/prepare: fields placed by a preparer, through the jobs' audit trail and a PDF worker.
signet_layer(preparation FOLDERS preparation DEPENDS base config store policy pdf pdf_worker audit register jobs json FORBID "^podofo/" "^boost/asio" "^boost/beast" "^p11-kit/" "^pkcs11" "^curl/" "^sqlite3" "^libpq")
signet_layer(server FOLDERS server DEPENDS base config telemetry FORBID "^podofo/" "^sqlite3" "^p11-kit/" "^pkcs11" "^libpq")
# Idempotency-Key: the answers kept (SQLite through store/) and their HTTP form (server/'s types).
signet_layer(idempotency FOLDERS idempotency DEPENDS base store server FORBID "^podofo/" "^p11-kit/" "^pkcs11" "^toml" "^curl/" "^sqlite3" "^libpq")
signet_layer(api FOLDERS api DEPENDS server idempotency jobs register keys persons guests audit json timestamp evidence archive preparation FORBID "^podofo/" "^sqlite3" "^libpq")
signet_layer(devpki FOLDERS devpki DEPENDS base config store hsm keys audit FORBID "^podofo/" "^boost/asio" "^boost/beast" "^sqlite3" "^libpq")
signet_layer(cli FOLDERS cli DEPENDS config devpki keys audit json timestamp FORBID "^podofo/" "^sqlite3" "^libpq")
signet_layer(daemon FOLDERS daemon DEPENDS server idempotency api jobs keys register guests devpki evidence FORBID "^podofo/" "^sqlite3" "^libpq")
