// The worker's and the fork server's seccomp filters, installed in a forked child of the test:
// what they need still works, anything else ends the process with SIGSYS. The production path
// is the same code (worker_main.cpp loads them); the worker binary has no test mode.

#include <boost/test/unit_test.hpp>

#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "pdf/worker/worker_sandbox.hpp"

namespace signet::pdf::test {
namespace {

// Runs `body` in a child after the worker's filter (or the fork server's) and returns its wait
// status.
int status_of_filtered_child(const std::function<void()>& body, bool fork_server = false) {
    pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        auto filter = fork_server ? worker::SyscallFilter::for_fork_server() : worker::SyscallFilter::for_worker();
        if (!filter || !filter->install()) ::_exit(100);
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

// The fork server may clone only as fork_server.hpp says (a sibling, CLONE_PARENT); glibc's
// fork() and execve stay fatal, and so does a socket.
BOOST_AUTO_TEST_CASE(the_fork_server_may_clone_a_sibling_and_nothing_else) {
    int status = status_of_filtered_child(
        [] {
            long pid = ::syscall(SYS_clone, CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
            if (pid == 0) ::_exit(0);
            if (pid < 0) ::_exit(101);
        },
        true);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
    // The sibling is this test's child now.
    int sibling = 0;
    BOOST_TEST(::waitpid(-1, &sibling, 0) > 0);
    for (auto* body : {+[] { (void)::fork(); }, +[] { (void)::socket(AF_INET, SOCK_STREAM, 0); },
                       +[] {
                           char* argv[] = {nullptr};
                           (void)::execve("/bin/true", argv, argv);
                       }}) {
        status = status_of_filtered_child(body, true);
        BOOST_TEST(WIFSIGNALED(status));
        BOOST_TEST(WTERMSIG(status) == SIGSYS);
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
