// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Batches read calls into one eth_call. Its ABI matches Multicall3's aggregate3 and
/// getEthBalance, so a client written for Multicall3 works against it unchanged; the fixture
/// places its runtime code at Multicall3's canonical address.
contract Multicall {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /// Runs each call in order. A failed call with allowFailure = false reverts the whole batch
    /// (as Multicall3 does); otherwise its success flag is false and returnData holds the revert data.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            Call3 calldata c = calls[i];
            (bool ok, bytes memory ret) = c.target.call(c.callData);
            require(ok || c.allowFailure, "Multicall: call failed");
            results[i] = Result(ok, ret);
        }
    }

    function getEthBalance(address addr) external view returns (uint256 balance) {
        return addr.balance;
    }
}
