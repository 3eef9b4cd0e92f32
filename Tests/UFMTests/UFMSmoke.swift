import Testing
@testable import UFM
