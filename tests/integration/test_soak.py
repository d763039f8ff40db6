"""The soak's test version (tests/integration/soak.py): 60 s of mixed load with 200 WebSocket
clients; heap and fds must return to their baseline. `make bench` runs the 10-minute one."""
import chainpeers
from harness import main, test
from soak import soak

chainpeers.install()


@test
def sixty_seconds_of_mixed_load_give_back_heap_and_fds():
    soak(seconds=60, ws_clients=200, interval=15)


if __name__ == "__main__":
    main()
