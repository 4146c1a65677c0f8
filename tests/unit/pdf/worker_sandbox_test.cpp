// The worker's seccomp filter, installed in a forked child of the test: what the worker needs
// still works, a socket ends the process with SIGSYS. The production path is the same function
// (worker_main.cpp calls it); the worker binary has no test mode.

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "pdf/worker_sandbox.hpp"

namespace signet::pdf::test {
namespace {

// Runs `body` in a child after install_syscall_filter() and returns its wait status.
int status_of_filtered_child(const std::function<void()>& body) {
    pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        if (!worker::install_syscall_filter()) ::_exit(100);
        body();
        ::_exit(0);
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    return status;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(worker_sandbox_test)

BOOST_AUTO_TEST_CASE(allowed_calls_still_work) {
    int status = status_of_filtered_child([] {
        char byte = 'x';
        if (::write(2, &byte, 0) != 0) ::_exit(101);
    });
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_CASE(a_socket_kills_the_worker) {
    int status = status_of_filtered_child([] { (void)::socket(AF_INET, SOCK_STREAM, 0); });
    BOOST_TEST(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGSYS);
}

BOOST_AUTO_TEST_CASE(fork_and_exec_kill_the_worker) {
    int status = status_of_filtered_child([] { (void)::fork(); });
    BOOST_TEST(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGSYS);
    status = status_of_filtered_child([] {
        char* argv[] = {nullptr};
        (void)::execve("/bin/true", argv, argv);
    });
    BOOST_TEST(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGSYS);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
