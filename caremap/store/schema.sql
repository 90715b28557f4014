-- The public schema of the CareMap database; documented column by column in docs/schema.md.
create table meta (key varchar primary key, value varchar);
create table district (
    code varchar primary key, name varchar not null, name_en varchar, is_official_code boolean,
    population_2020 bigint, population_source varchar, label_lon double, label_lat double,
    boundary_note varchar, geojson varchar
);
-- lon, lat: the location every figure uses (the bureau's imported geography where there is one, else ref_*);
-- ref_lon, ref_lat, ref_note: the reference (approximate) or demo location; location_method says which is used.
create table street (
    code varchar primary key, name varchar not null, name_en varchar, district_code varchar not null,
    lon double, lat double, point_note varchar, ref_lon double, ref_lat double, ref_note varchar,
    location_method varchar
);
create table community (
    code varchar primary key, name varchar not null, name_en varchar, official_name varchar,
    street_code varchar not null,
    district_code varchar not null, lon double, lat double, location_note varchar, ref_lon double, ref_lat double,
    ref_note varchar, location_method varchar
);
create table special_zone (code varchar primary key, name varchar, district_code varchar);
create table service_category (
    code varchar primary key, name varchar not null, name_en varchar, system varchar not null,
    level varchar not null, child_service boolean, color varchar
);
create table service_point (
    id varchar primary key, name varchar not null, category varchar not null, district_code varchar not null,
    street_code varchar, community_code varchar, address varchar, phone varchar, lon double, lat double,
    source_crs varchar, updated_on date, capacity integer, hours varchar, services varchar, ages varchar,
    service_forms varchar, appointment boolean
);
create table worker (
    id varchar primary key, role varchar not null, name varchar, phone varchar, district_code varchar not null,
    street_code varchar, community_code varchar, status varchar not null, appointed_on date,
    training_hours integer, certificate varchar
);
create table sw_org (id varchar primary key, name varchar not null, district_code varchar, founded_year integer);
create table sw_project (
    id varchar primary key, org_id varchar not null, name varchar not null, domain varchar, target_group varchar,
    district_code varchar, start_on date, end_on date, funding_wan decimal(12, 1), social_workers integer
);
create table sw_site (
    id varchar primary key, project_id varchar not null, name varchar, district_code varchar, street_code varchar,
    community_code varchar, lon double, lat double
);
create table sw_service_month (
    project_id varchar not null, month date not null, person_times bigint not null,
    online_person_times bigint not null
);
create table coverage_standard (
    id varchar primary key, sort_order integer, level varchar not null, kind varchar not null, category varchar,
    role varchar, categories varchar[], max_m double, label_zh varchar, label_en varchar, basis varchar
);
-- What each standard aims at (coverage_standards.toml): the share of units that should meet it, by when if a date is
-- set, and the document that sets the aim. Read from the live version only (older versions may not have it).
create table standard_target (
    standard_id varchar primary key, target_share double not null, target_date date, target_basis varchar
);
create table import_log (
    id integer, kind varchar, file_name varchar, sha256 varchar, imported_at timestamp, rows_accepted integer,
    rows_rejected integer, mode varchar, who varchar, stored_path varchar, data_version varchar
);
create table policy (
    code varchar primary key, title varchar not null, title_en varchar, issuer varchar not null,
    issued_on date not null, effective_on date, doc_number varchar, level varchar not null, topic varchar not null,
    summary_zh varchar not null, summary_en varchar not null, url varchar
);
create table announcement (
    id integer primary key, title varchar not null, published_on date not null, district_code varchar,
    body varchar not null, link varchar, title_en varchar, body_en varchar
);
create table community_nearest (
    community_code varchar not null, category varchar not null, nearest_m double not null, nearest_name varchar
);
create table point_tally (
    district_code varchar not null, street_code varchar, community_code varchar, category varchar not null,
    located boolean not null, points bigint not null
);
create table sw_project_scope (
    scope_code varchar not null, project_id varchar not null, org_id varchar not null, domain varchar,
    target_group varchar, social_workers integer not null, sites bigint not null, person_times bigint not null,
    online_person_times bigint not null
);
create table sw_scope_month (
    scope_code varchar not null, month date not null, person_times bigint not null,
    online_person_times bigint not null
);
-- The bureau's own geography (imports of kind streets and communities), WGS-84: a boundary or a given location.
create table unit_geometry (
    level varchar not null, unit_code varchar not null, geom geometry not null, geojson varchar, kind varchar not null,
    lon double not null, lat double not null, method varchar not null, area_km2 double, feature_no integer,
    source_crs varchar, file_name varchar, primary key (level, unit_code)
);
-- Children per unit and age band (imports of kind population), with the year and source of the count.
create table population (
    level varchar not null, unit_code varchar not null, age_band varchar not null, children bigint not null,
    year integer not null, source varchar not null, file_name varchar, primary key (level, unit_code, age_band)
);
-- Derived where boundaries exist: the street and community boundary that contains each located service point.
create table point_place (id varchar not null, street_code varchar, community_code varchar);
-- Derived where children per community are known: two-step floating catchment (2SFCA) access per community and
-- category: places (capacity, or 1 per point where capacity is not given) per 10,000 children within the catchment.
create table community_access (
    community_code varchar not null, category varchar not null, children bigint not null, catchment_m double not null,
    places_per_10k double not null, supply_basis varchar not null, points_within bigint not null
);
create table name_initials (name_key varchar primary key, initials varchar not null);
create table service_point_initials (id varchar not null, name_key varchar not null);
-- Derived at publish time (build and import) for the directory's text search (derive_search.sql): the points'
-- search profiles (what a search can match, names and addresses lowercased with each run of digits as 0), a few
-- thousand at any scale of the demo, each point's profile with its own lowercased name, and the distinct lowercased
-- addresses.
create table search_profile (
    profile_id integer primary key, category varchar not null, district_code varchar not null, street_code varchar,
    community_code varchar, initials_key varchar not null, name_key varchar not null, address_key varchar,
    points bigint not null
);
create table search_point (
    point_no integer not null, id varchar not null, profile_id integer not null, name_text varchar not null,
    name_runs varchar not null, name_digits integer not null, address_id integer, address_digits integer
);
-- The ASCII digits a text holds, one bit each (bit d for the digit d): a text with digits can be in a name only when
-- the name's bits hold the text's (search_point.name_digits; queries/directory_search.sql). Written with a lambda
-- rather than ten contains(): the search uses it as a constant, and this form takes a tenth of the time to bind.
create macro digit_mask(text_value) as coalesce(
    list_sum(list_transform(list_distinct(regexp_extract_all(text_value, '[0-9]')), lambda d: 1 << d::integer)), 0
)::integer;
create table search_address (address_id integer primary key, address_text varchar not null);
-- The projects that count in a scope (a district or street code; both null = the city): one definition for every
-- social-work query. A street outside the given district has none.
create macro sw_projects_in(in_district, in_street) as table
    select x.*
    from sw_project_scope as x
    where x.scope_code = coalesce(in_street, in_district, 'city')
        and (in_street is null or in_district is null
            or exists (select 1 from street as s where s.code = in_street and s.district_code = in_district));
-- Every coverage check: one row per unit (district, street, community unit) × standard of its level, with whether
-- it is met (a point of the category in the unit, an in-post worker of the role, or a point of the categories
-- within max_m, from community_nearest) and, for a distance met, the metres. The coverage page, the choropleth
-- and the street symbols all count from it.
create macro standard_checks() as table
    with
    units as (
        select 'district' as level, code as unit_code, code as district_code, null::varchar as street_code,
            null::double as lon, null::double as lat
        from district
        union all
        select 'street', code, district_code, code, lon, lat from street
        union all
        select 'community', code, district_code, street_code, lon, lat from community
    ),
    point_units as (
        select distinct 'district' as level, district_code as unit_code, category from point_tally
        union all
        select distinct 'street', street_code, category from point_tally where street_code is not null
        union all
        select distinct 'community', community_code, category from point_tally where community_code is not null
    ),
    worker_units as (
        select distinct 'district' as level, district_code as unit_code, role from worker where status = '在岗'
        union all
        select distinct 'street', street_code, role from worker where status = '在岗' and street_code is not null
        union all
        select distinct 'community', community_code, role from worker
        where status = '在岗' and community_code is not null
    ),
    checks as (
        select u.*, s.id as standard_id, s.kind, s.category, s.role, s.categories, s.max_m
        from units as u inner join coverage_standard as s on u.level = s.level
    ),
    category_met as (
        select distinct c.standard_id, c.unit_code
        from checks as c
        inner join point_units as pu on c.level = pu.level and c.unit_code = pu.unit_code and c.category = pu.category
        where c.kind = 'category'
    ),
    worker_met as (
        select distinct c.standard_id, c.unit_code
        from checks as c
        inner join worker_units as wu on c.level = wu.level and c.unit_code = wu.unit_code and c.role = wu.role
        where c.kind = 'worker'
    ),
    distance_met as (
        select c.standard_id, c.unit_code, min(n.nearest_m) as nearest_m
        from checks as c
        inner join community_nearest as n on c.unit_code = n.community_code
        where c.kind = 'distance' and list_contains(c.categories, n.category) and n.nearest_m <= c.max_m
        group by c.standard_id, c.unit_code
    )
    select
        c.level, c.unit_code, c.district_code, c.street_code, c.lon, c.lat, c.standard_id,
        case c.kind
            when 'category' then cm.unit_code is not null
            when 'worker' then wm.unit_code is not null
            else dm.unit_code is not null
        end as met,
        dm.nearest_m
    from checks as c
    left join category_met as cm on c.standard_id = cm.standard_id and c.unit_code = cm.unit_code
    left join worker_met as wm on c.standard_id = wm.standard_id and c.unit_code = wm.unit_code
    left join distance_met as dm on c.standard_id = dm.standard_id and c.unit_code = dm.unit_code;
-- The streets of a scope (a district or street code; both null = the city) with their district's name.
create macro streets_in(in_district, in_street) as table
    select s.code as street_code, s.name as street_name, s.district_code, d.name as district_name
    from street as s inner join district as d on s.district_code = d.code
    where (in_district is null or s.district_code = in_district) and (in_street is null or s.code = in_street);
-- One row per community unit: its child-director records (posts, filled, vacant; has_record false = none on
-- record) and children's homes. The workforce tables, the briefing's gaps and the social-work presence count from it.
create macro community_tally() as table
    with
    directors as (
        select community_code, count(*) as records, count(*) filter (where status = '在岗') as filled,
            count(*) filter (where status = '空缺') as vacant
        from worker where role = '儿童主任' group by community_code
    ),
    homes as (
        select community_code, sum(points) as homes
        from point_tally where category = 'children_home' and community_code is not null group by community_code
    )
    select c.code as community_code, c.street_code, c.district_code,
        coalesce(d.records, 0) as posts, coalesce(d.filled, 0) as filled, coalesce(d.vacant, 0) as vacant,
        d.community_code is not null as has_record, coalesce(h.homes, 0)::bigint as homes
    from community as c
    left join directors as d on c.code = d.community_code
    left join homes as h on c.code = h.community_code;
-- The state of every unit's worker record in a scope, the three states shown everywhere: 'in_post' (a worker in
-- post), 'vacant' (only vacant posts on record), 'no_record' (no post on record). Streets for the supervisor,
-- community units for the director (from community_tally). The metrics and the gap list read it.
create macro worker_states(in_district, in_street) as table
    with
    supervisors as (
        select street_code, count(*) filter (where status = '在岗') as filled,
            count(*) filter (where status = '空缺') as vacant
        from worker where role = '儿童督导员' group by street_code
    )
    select 'street' as level, s.code as unit_code, '儿童督导员' as role,
        case when coalesce(w.filled, 0) > 0 then 'in_post' when coalesce(w.vacant, 0) > 0 then 'vacant'
            else 'no_record' end as state
    from street as s left join supervisors as w on s.code = w.street_code
    where (in_district is null or s.district_code = in_district) and (in_street is null or s.code = in_street)
    union all
    select 'community' as level, c.community_code as unit_code, '儿童主任' as role,
        case when c.filled > 0 then 'in_post' when c.vacant > 0 then 'vacant' else 'no_record' end as state
    from community_tally() as c
    where (in_district is null or c.district_code = in_district) and (in_street is null or c.street_code = in_street);
-- Children (0-17) per unit with a count: the 0-17 row where given, else the four age bands added up (a unit with
-- only some bands has no total). One row per (level, unit_code) with the year and source of its count.
create macro population_total() as table
    select level, unit_code,
        coalesce(max(children) filter (where age_band = '0-17'),
            case when count(*) filter (where age_band in ('0-2', '3-5', '6-11', '12-17')) = 4
                then sum(children) filter (where age_band <> '0-17') end) as children,
        max(year) as year, string_agg(distinct source, '；' order by source) as source
    from population
    group by level, unit_code;
-- The children of a scope (a district or street code; both null = the city): the coarsest level at which every
-- unit of the scope has a count (the scope's own figure, else its streets', else its community units'); no row
-- when no level is complete. units and known say how complete the level is.
create macro children_in(in_district, in_street) as table
    with
    units as (
        select 'district' as level, 1 as rank, code as unit_code from district
        where in_street is null and (in_district is null or code = in_district)
        union all
        select 'street', 2, code from street
        where (in_district is null or district_code = in_district) and (in_street is null or code = in_street)
        union all
        select 'community', 3, code from community
        where (in_district is null or district_code = in_district) and (in_street is null or street_code = in_street)
    ),
    by_level as (
        select u.level, min(u.rank) as rank, count(*) as units, count(t.children) as known,
            sum(t.children)::bigint as children, max(t.year) as year, string_agg(distinct t.source, '；') as source
        from units as u
        left join population_total() as t on u.level = t.level and u.unit_code = t.unit_code
        group by u.level
    )
    select level, children, units, known, year, source from by_level
    where known = units and units > 0
    order by rank
    limit 1;
