// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// An ERC-20 with allowances for pipit's transaction tests: transfers, approvals (and revokes,
/// approve 0) and transferFrom. Only the deployer mints.
contract TxToken {
    string public name;
    string public symbol;
    uint8 public decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    address private immutable minter;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        minter = msg.sender;
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 have = balanceOf[from];
        require(have >= amount, "TxToken: balance too low");
        unchecked {
            balanceOf[from] = have - amount;
            balanceOf[to] += amount; // the total supply bounds every balance
        }
        emit Transfer(from, to, amount);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= amount, "TxToken: allowance too low");
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
        return true;
    }

    /// Credits amounts[i] to to[i], one Transfer from the zero address each.
    function mintMany(address[] calldata to, uint256[] calldata amounts) external {
        require(msg.sender == minter, "TxToken: not the minter");
        require(to.length == amounts.length, "TxToken: length mismatch");
        uint256 supply = totalSupply;
        for (uint256 i = 0; i < to.length; ++i) {
            supply += amounts[i];
            unchecked {
                balanceOf[to[i]] += amounts[i];
            }
            emit Transfer(address(0), to[i], amounts[i]);
        }
        totalSupply = supply;
    }
}
