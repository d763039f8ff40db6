/* lwipopts.h — lwIP 2.2.1 configuration for pipit's lwIP port (ports/lwip).
 *
 * NO_SYS=0: lwIP runs its tcpip thread (contrib/ports/unix sys_arch on pthreads in the
 * in-process test build; the RTOS's sys_arch on a device) and pipit uses the BSD-style socket
 * API (lwip_socket, lwip_poll…) from its loop thread, as platform/pal_lwip.c does.
 * The test build has no real interface: only the loopback netif (127.0.0.1, ::1).
 * Copied into the lwIP prefix by ports/deps/lwip.sh: the library and pal_lwip.c see the same one.
 */
#ifndef PIPIT_LWIPOPTS_H
#define PIPIT_LWIPOPTS_H

/* ---- threading ---- */
#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1       /* sockets.c guards socket state from several threads */
#define LWIP_TCPIP_CORE_LOCKING 1    /* socket calls run under the core lock, not by message */
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
#if !NO_SYS
void sys_check_core_locking(void);
#define LWIP_ASSERT_CORE_LOCKED() sys_check_core_locking()
#endif
#define TCPIP_THREAD_NAME "tcpip"
#define TCPIP_THREAD_STACKSIZE 16384
#define TCPIP_MBOX_SIZE 64
#define DEFAULT_THREAD_STACKSIZE 16384
#define DEFAULT_TCP_RECVMBOX_SIZE 64
#define DEFAULT_UDP_RECVMBOX_SIZE 16
#define DEFAULT_ACCEPTMBOX_SIZE 32

/* ---- memory: lwIP's own heap and pools (static, outside pipit's allocator budget) ---- */
#define MEM_ALIGNMENT 8U
#define MEM_SIZE (512 * 1024)
#define MEMP_NUM_PBUF 64
#define MEMP_NUM_RAW_PCB 4
#define MEMP_NUM_UDP_PCB 16
#define MEMP_NUM_TCP_PCB 64
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_TCP_SEG 256
#define MEMP_NUM_NETBUF 32
#define MEMP_NUM_NETCONN 96          /* = the number of sockets */
#define MEMP_NUM_TCPIP_MSG_API 32
#define MEMP_NUM_TCPIP_MSG_INPKT 64
#define MEMP_NUM_SYS_TIMEOUT 16
#define PBUF_POOL_SIZE 64

/* ---- protocols ---- */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_ARP 0                   /* no Ethernet in the test build */
#define LWIP_ETHERNET 0
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_DHCP 0
#define LWIP_AUTOIP 0
#define LWIP_ACD 0
#define LWIP_IGMP 0
#define LWIP_IPV6_MLD 0
#define LWIP_IPV6_AUTOCONFIG 0
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_REASS 0
#define LWIP_IPV6_FRAG 0
#define LWIP_DNS 0                   /* pipit's PAL takes numeric addresses only */
#define LWIP_UDP 1                   /* the loop's wake-up datagrams */
#define LWIP_TCP 1
#define TCP_MSS 1460
#define TCP_WND (16 * TCP_MSS)
#define TCP_SND_BUF (16 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1
#define LWIP_TCP_KEEPALIVE 1
#define IP_REASSEMBLY 0
#define IP_FRAG 0

/* ---- loopback: everything in the test build goes through loop_netif ---- */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 0

/* ---- APIs ---- */
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
#define LWIP_COMPAT_SOCKETS 0        /* lwip_* names only: no clash with the host's socket() */
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET 1         /* socket 0 is never valid: a zeroed struct is no socket */
#define LWIP_SOCKET_POLL 1           /* pal_poll is lwip_poll */
#define LWIP_SOCKET_SELECT 1
#define SO_REUSE 1
#define LWIP_SO_RCVBUF 0

/* ---- diagnostics ---- */
#define LWIP_STATS 0
#define LWIP_NOASSERT_ON_ERROR       /* argument errors are returned, not asserted */
#endif
