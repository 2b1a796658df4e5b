/// Read access to stored tree nodes, by key. The tree reads the base version through it and never
/// writes: updates come back as a `TreeUpdateBatch`.
public protocol TreeNodeReader {
    /// The node stored under `key`, or nil when there is none (never stored, or pruned).
    func node(_ key: NodeKey) throws -> TreeNode?
}
