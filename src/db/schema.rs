// Written by hand to match migrations/postgres and migrations/sqlite.

diesel::table! {
    departments (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        short_name -> Text,
        level -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        path -> Text,
        region_path -> Text,
        domains -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        department_id -> Text,
        roles -> Text,
        legal_qualification -> Bool,
        disabled -> Bool,
        token_epoch -> Integer,
        password_changed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    certificates (id) {
        id -> Text,
        user_id -> Text,
        number -> Text,
        fields -> Text,
        area_department_id -> Text,
        valid_from -> Date,
        valid_until -> Date,
        status -> Text,
        status_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (username) {
        username -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_username -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
        request_id -> Nullable<Text>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    enforcement_items (code) {
        code -> Text,
        name -> Text,
        domain -> Text,
        high_frequency -> Bool,
        serious_safety -> Bool,
        penalty_types -> Text,
        violation_basis -> Text,
        penalty_basis -> Text,
        description -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        case_no -> Text,
        department_id -> Text,
        enforcement_item_code -> Text,
        source -> Text,
        procedure -> Text,
        status -> Text,
        party_kind -> Text,
        party_name -> Text,
        party_id_type -> Text,
        party_id_number -> Text,
        party_address -> Text,
        party_phone -> Nullable<Text>,
        party_legal_representative -> Nullable<Text>,
        facts -> Text,
        location -> Text,
        occurred_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        discovered_at -> Timestamp,
        filed_at -> Timestamp,
        filed_by -> Text,
        intended_fine_fen -> Nullable<BigInt>,
        version -> Integer,
        record_seq -> BigInt,
        record_head -> Text,
        updated_at -> Timestamp,
        rule_profile_id -> Nullable<Text>,
        harm_resulted -> Bool,
        harm_description -> Nullable<Text>,
    }
}

diesel::table! {
    case_steps (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        body -> Text,
        actor_id -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    legal_reviews (id) {
        id -> Text,
        case_id -> Text,
        department_id -> Text,
        status -> Text,
        report_id -> Text,
        proposal -> Text,
        reasons -> Text,
        submitted_by -> Text,
        submitted_at -> Timestamp,
        due_on -> Date,
        reviewer_id -> Nullable<Text>,
        checklist -> Nullable<Text>,
        opinion -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        title -> Text,
        number -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        verification_code -> Text,
        generated_by -> Text,
        generated_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_reason -> Nullable<Text>,
    }
}

diesel::table! {
    transfers (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        from_department_id -> Text,
        to_department_id -> Text,
        reason -> Text,
        status -> Text,
        previous_status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        document_id -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        answer_reason -> Nullable<Text>,
    }
}

diesel::table! {
    number_reservations (id) {
        id -> Text,
        department_id -> Text,
        kind -> Text,
        number -> Text,
        case_id -> Nullable<Text>,
        reserved_at -> Timestamp,
        instance_id -> Nullable<Text>,
    }
}

diesel::table! {
    instances (id) {
        id -> Text,
        name -> Text,
        started_at -> Timestamp,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    login_address_throttle (address) {
        address -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    voided_numbers (id) {
        id -> Text,
        department_id -> Text,
        kind -> Text,
        number -> Text,
        reason -> Text,
        voided_at -> Timestamp,
    }
}

diesel::table! {
    document_counters (department_id, kind, year) {
        department_id -> Text,
        kind -> Text,
        year -> Integer,
        last_value -> BigInt,
    }
}

diesel::table! {
    case_officers (case_id, user_id) {
        case_id -> Text,
        user_id -> Text,
        role -> Text,
        certificate_number -> Nullable<Text>,
        assigned_at -> Timestamp,
    }
}

diesel::table! {
    case_deadlines (case_id, kind) {
        case_id -> Text,
        kind -> Text,
        due_on -> Date,
        basis -> Text,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        location -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    record_entries (case_id, seq) {
        case_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Text,
        actor_role -> Text,
        actor_certificate -> Nullable<Text>,
        action -> Text,
        detail -> Text,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    access_log (id) {
        id -> Text,
        case_id -> Text,
        user_id -> Text,
        username -> Text,
        at -> Timestamp,
        ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
        action -> Text,
        allowed -> Bool,
    }
}

// A view (see the migrations): one row per case with its officers and
// deadlines as JSON text.
diesel::table! {
    case_files (id) {
        id -> Text,
        case_no -> Text,
        status -> Text,
        department_id -> Text,
        enforcement_item_code -> Text,
        source -> Text,
        procedure -> Text,
        party_kind -> Text,
        party_name -> Text,
        party_id_type -> Text,
        party_id_number -> Text,
        party_address -> Text,
        party_phone -> Nullable<Text>,
        party_legal_representative -> Nullable<Text>,
        facts -> Text,
        location -> Text,
        occurred_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        discovered_at -> Timestamp,
        filed_at -> Timestamp,
        filed_by -> Text,
        intended_fine_fen -> Nullable<BigInt>,
        version -> Integer,
        harm_resulted -> Bool,
        harm_description -> Nullable<Text>,
        department_path -> Text,
        item_name -> Text,
        officers -> Text,
        deadlines -> Text,
    }
}

diesel::table! {
    benchmark_versions (id) {
        id -> Text,
        item_code -> Text,
        version -> Text,
        effective_from -> Date,
        effective_until -> Nullable<Date>,
        published -> Bool,
        convention -> Text,
        content -> Text,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_discretion (id) {
        id -> Text,
        case_id -> Text,
        benchmark_version_id -> Text,
        item_code -> Text,
        party_kind -> Text,
        facts -> Text,
        result -> Text,
        outcome -> Text,
        tier -> Nullable<Text>,
        proposed_fine_fen -> Nullable<BigInt>,
        deviation_reason -> Nullable<Text>,
        verdict -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rule_profiles (id) {
        id -> Text,
        department_id -> Nullable<Text>,
        effective_from -> Date,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    holiday_years (year) {
        year -> Integer,
        source -> Text,
        content -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        title -> Text,
        description -> Nullable<Text>,
        collected_at -> Timestamp,
        location -> Nullable<Text>,
        sha256 -> Text,
        size_bytes -> BigInt,
        media_type -> Text,
        file_name -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    investigation_records (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        started_at -> Timestamp,
        ended_at -> Timestamp,
        place -> Text,
        officers -> Text,
        body -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> departments (department_id));
diesel::joinable!(certificates -> users (user_id));
diesel::joinable!(cases -> departments (department_id));
diesel::joinable!(cases -> enforcement_items (enforcement_item_code));
diesel::joinable!(case_officers -> cases (case_id));
diesel::joinable!(case_officers -> users (user_id));
diesel::joinable!(case_deadlines -> cases (case_id));
diesel::joinable!(record_entries -> cases (case_id));
diesel::joinable!(benchmark_versions -> enforcement_items (item_code));
diesel::joinable!(case_discretion -> cases (case_id));
diesel::joinable!(case_steps -> cases (case_id));
diesel::joinable!(legal_reviews -> cases (case_id));
diesel::joinable!(documents -> cases (case_id));
diesel::joinable!(transfers -> cases (case_id));
diesel::table! {
    approvals (id) {
        id -> Text,
        department_id -> Text,
        kind -> Text,
        case_id -> Nullable<Text>,
        clue_id -> Nullable<Text>,
        request -> Text,
        summary -> Text,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        opinion -> Nullable<Text>,
        result_kind -> Nullable<Text>,
        result_id -> Nullable<Text>,
    }
}

diesel::table! {
    clues (id) {
        id -> Text,
        clue_no -> Text,
        department_id -> Text,
        source -> Text,
        summary -> Text,
        enforcement_item_code -> Nullable<Text>,
        party_name -> Nullable<Text>,
        location -> Nullable<Text>,
        occurred_at -> Nullable<Timestamp>,
        discovered_at -> Timestamp,
        registered_by -> Text,
        registered_at -> Timestamp,
        status -> Text,
        due_on -> Date,
        due_basis -> Text,
        extensions -> Integer,
        exclusions -> Text,
        case_id -> Nullable<Text>,
        ground -> Nullable<Text>,
        outcome_reason -> Nullable<Text>,
        transferred_to -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        import_batch -> Nullable<Text>,
        harm_resulted -> Bool,
        harm_description -> Nullable<Text>,
    }
}

diesel::table! {
    clue_events (clue_id, seq) {
        clue_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Text,
        action -> Text,
        detail -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        user_id -> Text,
        dedup_key -> Text,
        kind -> Text,
        title -> Text,
        case_id -> Nullable<Text>,
        subject_id -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    property_measures (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        status -> Text,
        emergency -> Bool,
        approved -> Bool,
        started_at -> Timestamp,
        due_on -> Date,
        extensions -> Integer,
        reason -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    property_items (id) {
        id -> Text,
        case_id -> Text,
        measure_id -> Text,
        name -> Text,
        specification -> Text,
        quantity -> Text,
        unit -> Text,
        item_condition -> Text,
        location -> Text,
        custodian -> Text,
        status -> Text,
        disposal_reason -> Nullable<Text>,
        disposed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    custody_log (item_id, seq) {
        item_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        action -> Text,
        custodian -> Text,
        location -> Text,
        note -> Text,
        actor_id -> Text,
    }
}

diesel::table! {
    inspections (id) {
        id -> Text,
        department_id -> Text,
        enforcement_item_code -> Text,
        subject -> Text,
        location -> Text,
        purpose -> Text,
        planned_on -> Date,
        officers -> Text,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        inspected_at -> Nullable<Timestamp>,
        findings -> Nullable<Text>,
        violation_found -> Nullable<Bool>,
        recorded_by -> Nullable<Text>,
        clue_id -> Nullable<Text>,
    }
}

diesel::table! {
    publications (id) {
        id -> Text,
        case_id -> Text,
        department_id -> Text,
        enforcement_item_code -> Text,
        decision_number -> Text,
        decided_on -> Date,
        due_on -> Date,
        status -> Text,
        summary -> Text,
        redactions -> Text,
        fine_fen -> BigInt,
        penalty_kinds -> Text,
        created_at -> Timestamp,
        prepared_by -> Nullable<Text>,
        prepared_at -> Nullable<Timestamp>,
        released_by -> Nullable<Text>,
        released_at -> Nullable<Timestamp>,
        display_until -> Nullable<Date>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawal_reason -> Nullable<Text>,
    }
}

diesel::table! {
    complaints (id) {
        id -> Text,
        tracking_code -> Text,
        department_id -> Text,
        enforcement_item_code -> Nullable<Text>,
        subject_name -> Text,
        subject_address -> Nullable<Text>,
        subject_uscc -> Nullable<Text>,
        facts -> Text,
        anonymous -> Bool,
        reporter_sealed -> Nullable<Text>,
        client_hash -> Text,
        status -> Text,
        received_at -> Timestamp,
        clue_id -> Nullable<Text>,
        closure_reason -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    complaint_events (id) {
        id -> Text,
        complaint_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        detail -> Text,
    }
}

diesel::table! {
    noncoercive_measures (id) {
        id -> Text,
        number -> Text,
        department_id -> Text,
        clue_id -> Nullable<Text>,
        case_id -> Nullable<Text>,
        kind -> Text,
        party -> Text,
        content -> Text,
        follow_up_on -> Date,
        basis -> Nullable<Text>,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        followed_up_at -> Nullable<Timestamp>,
        follow_up_note -> Nullable<Text>,
    }
}

diesel::table! {
    guiding_cases (id) {
        id -> Text,
        case_id -> Text,
        department_id -> Text,
        domain -> Text,
        enforcement_item_code -> Text,
        title -> Text,
        summary -> Text,
        reasoning -> Text,
        status -> Text,
        proposed_by -> Text,
        proposed_at -> Timestamp,
        published_by -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawal_reason -> Nullable<Text>,
    }
}

diesel::table! {
    rubrics (id) {
        id -> Text,
        code -> Text,
        version -> Integer,
        effective_from -> Date,
        content -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evaluation_batches (id) {
        id -> Text,
        name -> Text,
        department_id -> Text,
        period_from -> Date,
        period_to -> Date,
        sample_size -> Nullable<Integer>,
        seed -> BigInt,
        rubric_code -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Text,
        batch_id -> Text,
        case_id -> Text,
        department_id -> Text,
        rubric_id -> Text,
        status -> Text,
        adjustments -> Text,
        score -> Nullable<BigInt>,
        grade -> Nullable<Text>,
        evaluator_id -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
        result -> Nullable<Text>,
        reply -> Nullable<Text>,
        replied_by -> Nullable<Text>,
        replied_at -> Nullable<Timestamp>,
        record_seq -> BigInt,
        record_head -> Text,
    }
}

diesel::table! {
    evaluation_records (evaluation_id, seq) {
        evaluation_id -> Text,
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Text,
        actor_role -> Text,
        action -> Text,
        detail -> Text,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(evaluations -> evaluation_batches (batch_id));
diesel::joinable!(evaluations -> cases (case_id));
diesel::joinable!(evidence -> cases (case_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(investigation_records -> cases (case_id));
diesel::joinable!(case_discretion -> benchmark_versions (benchmark_version_id));

diesel::allow_tables_to_appear_in_same_query!(
    departments,
    users,
    certificates,
    login_throttle,
    audit_events,
    enforcement_items,
    cases,
    case_officers,
    case_deadlines,
    idempotency_keys,
    record_entries,
    access_log,
    benchmark_versions,
    case_discretion,
    rule_profiles,
    holiday_years,
    evidence,
    investigation_records,
    case_steps,
    legal_reviews,
    document_counters,
    documents,
    transfers,
    voided_numbers,
    number_reservations,
    approvals,
    clues,
    clue_events,
    messages,
    property_measures,
    property_items,
    custody_log,
    inspections,
    publications,
    complaints,
    complaint_events,
    noncoercive_measures,
    guiding_cases,
    instances,
    login_address_throttle,
    sessions,
    rubrics,
    evaluation_batches,
    evaluations,
    evaluation_records,
);
